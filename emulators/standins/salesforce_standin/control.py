"""Salesforce's `/_control/` routes: a case's files, records by type (merged-away ones with
?deleted=1), seeding a record, expiring every access token (README "Control")."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from emulators.standins.common import json_error
from emulators.standins.salesforce_standin.state import state
from emulators.standins.salesforce_standin.wire import id_key

bp = Blueprint("salesforce_control", __name__, url_prefix="/_control")


@bp.get("/cases/<case_id>/files")
def control_case_files(case_id: str) -> Response:
    s = state()
    with s.lock:
        out = [
            {
                "id": v["Id"],
                "title": v["Title"],
                "path_on_client": v["PathOnClient"],
                "content_document_id": v["ContentDocumentId"],
                "size": v["ContentSize"],
                "sha256": v["_sha256"],
                "md5": v["Checksum"],
                "created_date": v["CreatedDate"],
            }
            for v in s.records.get("ContentVersion", {}).values()
            if isinstance(v.get("FirstPublishLocationId"), str)
            and id_key(v["FirstPublishLocationId"]) == id_key(case_id)
        ]
        return jsonify({"files": out})


@bp.get("/records/<sobject>")
def control_records(sobject: str) -> Response:
    """Live records; with ?deleted=1 the merged-away ones too (IsDeleted, MasterRecordId)."""
    s = state()
    with s.lock:
        rows = list(s.records.get(sobject, {}).values())
        if request.args.get("deleted"):
            rows += list(s.deleted.get(sobject, {}).values())
        out = [{k: v for k, v in rec.items() if not k.startswith("_")} for rec in rows]
        return jsonify({"records": out})


@bp.post("/records")
def control_seed_record() -> Response:
    s = state()
    body = request.get_json(silent=True) or {}
    sobject = body.get("type")
    fields = body.get("fields") or {}
    if not isinstance(sobject, str) or not isinstance(fields, dict):
        return json_error(400, {"error": "need type and fields"})
    with s.lock:
        rec = s.store(sobject, fields, body.get("id"))
        resp = jsonify({"id": rec["Id"]})
        resp.status_code = 201
        return resp


@bp.post("/expire_tokens")
def control_expire_tokens() -> Response:
    s = state()
    with s.lock:
        n = len(s.tokens)
        s.tokens.clear()
    return jsonify({"expired": n})
