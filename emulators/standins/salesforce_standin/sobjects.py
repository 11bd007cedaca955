"""`sobjects/<Type>` POST, `sobjects/<Type>/<id>` GET / PATCH / DELETE and upsert by an
external id field, `sobjects/<Type>/<field>/<value>` PATCH [sobjects]."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from emulators.standins.common import faultable, json_error
from emulators.standins.salesforce_standin.state import state
from emulators.standins.salesforce_standin.wire import check_version, id_key, not_found, sf_error

bp = Blueprint("salesforce_sobjects", __name__)


@bp.post("/services/data/<version>/sobjects/<sobject>")
@bp.post("/services/data/<version>/sobjects/<sobject>/")
@faultable("sobjects")
def create_sobject(version: str, sobject: str) -> Response:
    s = state()
    if (bad := check_version(version)) is not None:
        return bad
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        return sf_error(400, "JSON_PARSER_ERROR", "Body must be a JSON object")
    if "Id" in body:
        return sf_error(
            400, "INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: Id"
        )
    with s.lock:
        rec = s.store(sobject, body)
    resp = jsonify({"id": rec["Id"], "success": True, "errors": []})
    resp.status_code = 201
    return resp


@bp.get("/services/data/<version>/sobjects/<sobject>/<rid>")
@faultable("sobjects")
def get_sobject(version: str, sobject: str, rid: str) -> Response:
    s = state()
    if (bad := check_version(version)) is not None:
        return bad
    with s.lock:
        rec = s.records.get(sobject, {}).get(id_key(rid))
        if rec is None:
            if id_key(rid) in s.deleted.get(sobject, {}):
                return sf_error(404, "ENTITY_IS_DELETED", "entity is deleted")
            return not_found()
        out = s.record_json(sobject, rec, version)
    wanted = request.args.get("fields")
    if wanted:
        keep = {f.strip() for f in wanted.split(",")} | {"attributes"}
        out = {k: v for k, v in out.items() if k in keep}
    return jsonify(out)


@bp.patch("/services/data/<version>/sobjects/<sobject>/<rid>")
@faultable("sobjects")
def update_sobject(version: str, sobject: str, rid: str) -> Response:
    s = state()
    if (bad := check_version(version)) is not None:
        return bad
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        return sf_error(400, "JSON_PARSER_ERROR", "Body must be a JSON object")
    if "Id" in body:
        return sf_error(
            400, "INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: Id"
        )
    with s.lock:
        rec = s.records.get(sobject, {}).get(id_key(rid))
        if rec is None:
            if not s.lenient_ids:
                return not_found()
            rec = s.store(sobject, {}, rid)
        rec.update(body)
        rec["LastModifiedDate"] = s.now_iso()
    return Response(status=204)


@bp.delete("/services/data/<version>/sobjects/<sobject>/<rid>")
@faultable("sobjects")
def delete_sobject(version: str, sobject: str, rid: str) -> Response:
    s = state()
    if (bad := check_version(version)) is not None:
        return bad
    with s.lock:
        rec = s.records.get(sobject, {}).pop(id_key(rid), None)
        if rec is None:
            return not_found()
        if sobject == "ContentDocument":
            for kind in ("ContentVersion", "ContentDocumentLink"):
                table = s.records.get(kind, {})
                for key in [
                    k for k, v in table.items() if id_key(v["ContentDocumentId"]) == id_key(rid)
                ]:
                    table.pop(key)
                    s.blobs.pop(key, None)
    return Response(status=204)


@bp.patch("/services/data/<version>/sobjects/<sobject>/<field>/<value>")
@faultable("sobjects")
def upsert_sobject(version: str, sobject: str, field: str, value: str) -> Response:
    """sObject Rows by External ID: 201 {created: true} or 200 {created: false}."""
    s = state()
    if (bad := check_version(version)) is not None:
        return bad
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        return sf_error(400, "JSON_PARSER_ERROR", "Body must be a JSON object")
    if "Id" in body or field in body:
        return sf_error(
            400,
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            f"Unable to create/update fields: {'Id' if 'Id' in body else field}",
        )
    with s.lock:
        table = s.records.get(sobject, {})
        matches = [r for r in table.values() if str(r.get(field, "")).lower() == value.lower()]
        if len(matches) > 1:
            urls = [f"/services/data/{version}/sobjects/{sobject}/{r['Id']}" for r in matches]
            return json_error(300, urls)
        if matches:
            rec = matches[0]
            rec.update(body)
            rec["LastModifiedDate"] = s.now_iso()
            out, status = (
                {"id": rec["Id"], "success": True, "errors": [], "created": False},
                200,
            )
        else:
            rec = s.store(sobject, {**body, field: value})
            out, status = {"id": rec["Id"], "success": True, "errors": [], "created": True}, 201
    resp = jsonify(out)
    resp.status_code = status
    return resp
