"""`uploads` [uploads]: streamed to disk, one token per upload (more files may join it)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, request

from emulators.standins.common import faultable
from emulators.standins.zendesk_standin.models import Attachment, Upload
from emulators.standins.zendesk_standin.state import state
from emulators.standins.zendesk_standin.wire import (
    blank,
    created,
    new_token,
    not_found,
    record_invalid,
    route,
)

bp = Blueprint("zendesk_uploads", __name__)


@route(bp, "/api/v2/uploads", ["POST"])
@faultable("uploads")
def create_upload() -> Response:
    s = state()
    filename = request.args.get("filename")
    if not filename:
        return blank("filename", "Filename")
    existing = request.args.get("token")
    if existing:
        with s.lock:
            problem = s.token_problem(existing)
        if problem:
            return record_invalid({"token": [{"description": problem, "error": "InvalidValue"}]})
    content_type = (request.mimetype or "application/binary").lower()
    blob = s.st.blobs.save_stream(request.stream)
    with s.lock:
        if existing:
            upload = s.uploads[existing]
        else:
            t = s.now()
            upload = Upload(new_token(), t, t + timedelta(seconds=s.token_ttl_seconds))
            s.uploads[upload.token] = upload
        att = Attachment(
            id=s.next_id("attachment", 27000000000),
            file_name=filename,
            content_type=content_type,
            blob=blob,
            access_token=new_token(),
            upload_token=upload.token,
        )
        s.attachments[att.id] = att
        upload.attachment_ids.append(att.id)
        return created({"upload": s.upload_json(upload, att)})


@route(bp, "/api/v2/uploads/<token>", ["DELETE"])
@faultable("uploads")
def delete_upload(token: str) -> Response:
    s = state()
    with s.lock:
        u = s.uploads.get(token)
        if u is None or u.deleted:
            return not_found()
        u.deleted = True
        return Response(status=204)
