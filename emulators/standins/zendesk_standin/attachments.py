"""`attachments/<id>` and the `/attachments/token/<token>/` download (ranged) [attachments]."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from emulators.standins.common import faultable, file_producer, ranged_response
from emulators.standins.zendesk_standin.state import state
from emulators.standins.zendesk_standin.wire import not_found, route

bp = Blueprint("zendesk_attachments", __name__)


@route(bp, "/api/v2/attachments/<int:att_id>", ["GET"])
@faultable("attachments")
def get_attachment(att_id: int) -> Response:
    s = state()
    with s.lock:
        a = s.attachments.get(att_id)
        return jsonify({"attachment": s.attachment_json(a)}) if a else not_found()


@bp.get("/attachments/token/<access_token>/")
@faultable("attachments")
def download_attachment(access_token: str) -> Response:
    s = state()
    with s.lock:
        a = next((x for x in s.attachments.values() if x.access_token == access_token), None)
    if a is None:
        return not_found()
    return ranged_response(
        a.blob.size,
        file_producer(a.blob.path),
        a.content_type,
        {"Content-Disposition": f'attachment; filename="{a.file_name}"'},
    )
