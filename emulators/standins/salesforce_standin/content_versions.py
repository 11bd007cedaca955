"""`sobjects/ContentVersion` POST as JSON (base64 VersionData) or multipart (streamed) and
`sobjects/ContentVersion/<id>/VersionData` [content_versions]. An insert also creates its
ContentDocument and, with FirstPublishLocationId, a ContentDocumentLink."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.http import parse_options_header

from emulators.standins.common import (
    StoredBlob,
    drain_request_body,
    faultable,
    file_producer,
    ranged_response,
)
from emulators.standins.salesforce_standin.multipart import MultipartProblem, read_blob_multipart
from emulators.standins.salesforce_standin.state import state
from emulators.standins.salesforce_standin.wire import (
    JSON_BODY_LIMIT,
    WRITABLE_CONTENT_VERSION_FIELDS,
    check_version,
    id_key,
    not_found,
    sf_error,
)

bp = Blueprint("salesforce_content_versions", __name__)


def insert_content_version(
    version: str, entity: dict[str, Any], blob: StoredBlob, filename: str | None
) -> Response:
    s = state()
    unknown = set(entity) - WRITABLE_CONTENT_VERSION_FIELDS
    if unknown:
        field = sorted(unknown)[0]
        return sf_error(
            400,
            "INVALID_FIELD",
            f"No such column '{field}' on sobject of type ContentVersion",
        )
    path = entity.get("PathOnClient") or filename
    if not path:
        return sf_error(
            400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [PathOnClient]"
        )
    title = entity.get("Title") or path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    with s.lock:
        doc_id = entity.get("ContentDocumentId")
        if doc_id:
            doc = s.records.get("ContentDocument", {}).get(id_key(doc_id))
            if doc is None:
                return sf_error(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
            for old in s.records.get("ContentVersion", {}).values():
                if id_key(old["ContentDocumentId"]) == id_key(doc_id):
                    old["IsLatest"] = False
            version_number = (
                sum(
                    1
                    for v in s.records.get("ContentVersion", {}).values()
                    if id_key(v["ContentDocumentId"]) == id_key(doc_id)
                )
                + 1
            )
        else:
            doc = s.store("ContentDocument", {"Title": title, "FileExtension": ext})
            doc_id = doc["Id"]
            version_number = 1
        cv_id = s.new_id("ContentVersion")
        cv_url = f"/services/data/{version}/sobjects/ContentVersion/{cv_id}"
        fields = {
            "Title": title,
            "PathOnClient": path,
            "Description": entity.get("Description"),
            "FirstPublishLocationId": entity.get("FirstPublishLocationId"),
            "ContentDocumentId": doc_id,
            "ContentSize": blob.size,
            "Checksum": blob.md5,
            "FileExtension": ext,
            "FileType": ext.upper() or "UNKNOWN",
            "VersionNumber": str(version_number),
            "IsLatest": True,
            "ContentLocation": entity.get("ContentLocation", "S"),
            "ReasonForChange": entity.get("ReasonForChange"),
            "VersionData": f"{cv_url}/VersionData",
            "_sha256": blob.sha256,
        }
        s.store("ContentVersion", fields, cv_id)
        s.blobs[id_key(cv_id)] = blob
        doc.update(
            LatestPublishedVersionId=cv_id,
            ContentSize=blob.size,
            Title=title,
            FileExtension=ext,
        )
        if entity.get("FirstPublishLocationId") and version_number == 1:
            s.store(
                "ContentDocumentLink",
                {
                    "ContentDocumentId": doc_id,
                    "LinkedEntityId": entity["FirstPublishLocationId"],
                    "ShareType": "V",
                    "Visibility": "AllUsers",
                },
            )
    resp = jsonify({"id": cv_id, "success": True, "errors": []})
    resp.status_code = 201
    resp.headers["Location"] = f"/services/data/{version}/sobjects/ContentVersion/{cv_id}"
    return resp


@bp.post("/services/data/<version>/sobjects/ContentVersion")
@bp.post("/services/data/<version>/sobjects/ContentVersion/")
@faultable("content_versions")
def create_content_version(version: str) -> Response:
    s = state()
    if (bad := check_version(version)) is not None:
        drain_request_body()
        return bad
    ctype, options = parse_options_header(request.headers.get("Content-Type", ""))
    if ctype.startswith("multipart/"):
        boundary = options.get("boundary")
        if not boundary:
            drain_request_body()
            return sf_error(400, "MALFORMED_REQUEST", "multipart boundary missing")
        try:
            entity, blob, filename = read_blob_multipart(boundary, s.st.blobs.writer)
        except MultipartProblem as exc:
            return sf_error(400, "MALFORMED_REQUEST", str(exc))
        return insert_content_version(version, entity, blob, filename)
    if (request.content_length or 0) > JSON_BODY_LIMIT:
        drain_request_body()
        return sf_error(413, "JSON_PARSER_ERROR", "Request body too large; use multipart")
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        return sf_error(400, "JSON_PARSER_ERROR", "Body must be a JSON object")
    data = body.get("VersionData")
    if not isinstance(data, str):
        return sf_error(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [VersionData]")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return sf_error(400, "INVALID_FIELD", "VersionData is not valid base64")
    entity = {k: v for k, v in body.items() if k != "VersionData"}
    return insert_content_version(version, entity, s.st.blobs.save_bytes(raw), None)


@bp.get("/services/data/<version>/sobjects/ContentVersion/<rid>/VersionData")
@faultable("content_versions")
def version_data(version: str, rid: str) -> Response:
    s = state()
    with s.lock:
        blob = s.blobs.get(id_key(rid))
    if blob is None:
        return not_found()
    return ranged_response(blob.size, file_producer(blob.path), "application/octet-stream")
