"""The SDK's media for a request: streamed through the function, or a signed upload URL
followed by verification. Either way the bytes are judged by content before they count."""

from __future__ import annotations

from typing import Any, Literal

import flask
from pydantic import BaseModel, ConfigDict, Field

from core.errors import ApiError, bad_request, not_found
from core.http import parse_body
from smartactions import access, actions, clock, media, signing, views
from smartactions.config import sa_settings
from smartactions.kinds import RULES
from smartactions.sniff import EXTENSIONS


class UploadTicket(BaseModel):
    model_config = ConfigDict(extra="forbid")
    content_type: Literal["image/png", "image/jpeg", "video/mp4"]
    size: int = Field(ge=1)


class VerifyUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")
    object: str = Field(min_length=1, max_length=1024)


def _open_request(
    request: flask.Request, session_id: str, rid: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(session, request) for the caller's own session, with room for one more file."""
    _, doc = access.end_user(request, session_id)
    doc = actions.expire_due(session_id, doc)
    req = actions.open_request(doc, rid)
    actions.check_room(req)
    return doc, req


def content_length(request: flask.Request, field: str = "body") -> int:
    raw = request.headers.get("Content-Length")
    if raw is None or not raw.strip().isdigit():
        raise ApiError(411, "length_required", "send Content-Length", field="Content-Length")
    size = int(raw)
    if size == 0:
        raise bad_request(field, "empty")
    return size


def _meta(session_id: str, req: dict[str, Any]) -> dict[str, str]:
    return {"session_id": session_id, "request_id": req["id"], "kind": req["kind"]}


def stream(request: flask.Request, session_id: str, rid: str) -> tuple[dict[str, Any], int]:
    """POST raw bytes; checked (type, size, count) before and while they are stored."""
    _, req = _open_request(request, session_id, rid)
    rule = RULES[req["kind"]]
    size = content_length(request)
    head = media.read_head(request.stream)
    mt = media.check_type(head, rule.media_types, "body")
    limit = rule.max_bytes(mt)
    if size > limit:
        raise media.too_large("body", limit)
    name = media.object_name(session_id, f"smartactions/{rid}", mt.extension)
    item = media.put(
        request.stream, size, head, mt.content_type, name, limit, _meta(session_id, req)
    )
    try:
        req = actions.add_media(session_id, rid, item)
    except Exception:
        media.delete(name)  # refused at the last moment (count, expiry): keep nothing
        raise
    return {"request": views.for_end_user(req)}, 201


def issue(request: flask.Request, session_id: str, rid: str) -> tuple[dict[str, Any], int]:
    """A signed PUT URL for one file; the SDK then calls verify with the object name."""
    _, req = _open_request(request, session_id, rid)
    body = parse_body(request, UploadTicket)
    rule = RULES[req["kind"]]
    mt = next((m for m in rule.media_types if m.content_type == body.content_type), None)
    if mt is None:
        allowed = ", ".join(m.content_type for m in rule.media_types)
        raise bad_request("content_type", f"a {req['kind']} request takes {allowed}")
    limit = rule.max_bytes(mt)
    if body.size > limit:
        raise media.too_large("size", limit)
    name = media.object_name(session_id, f"smartactions/{rid}", mt.extension)
    url, headers, exp = signing.upload_url(
        name, mt.content_type, limit, _meta(session_id, req), sa_settings().upload_url_ttl_seconds
    )
    return {
        "upload": {
            "url": url,
            "method": "PUT",
            "headers": headers,
            "object": name,
            "expires_at": exp,
        }
    }, 201


def verify(request: flask.Request, session_id: str, rid: str) -> tuple[dict[str, Any], int]:
    """Check an object uploaded through a signed URL; link it, or delete it and refuse."""
    _, doc = access.end_user(request, session_id)
    body = parse_body(request, VerifyUpload)
    prefix = f"sessions/{session_id}/smartactions/{rid}/"
    if not body.object.startswith(prefix) or "/" in body.object[len(prefix) :]:
        raise bad_request("object", "not an upload of this request")
    req = actions.find(doc, rid)
    if any(m["object"] == body.object for m in req["media"]):
        return {"request": views.for_end_user(req)}, 200  # a retried verify
    info = media.inspect(body.object)
    if info is None:
        raise not_found("uploaded object")
    head, size, _, md5 = info
    rule = RULES[req["kind"]]
    try:
        doc = actions.expire_due(session_id, doc)
        req = actions.open_request(doc, rid)
        actions.check_room(req, "object")
        mt = media.check_type(head, rule.media_types, "object")
        ext = body.object.rsplit(".", 1)[-1]
        if EXTENSIONS.get(ext) != mt:
            raise ApiError(
                415,
                "unsupported_media",
                f"object: content is {mt.name.upper()} but the upload was issued for .{ext}",
                field="object",
            )
        if size > rule.max_bytes(mt):
            raise media.too_large("object", rule.max_bytes(mt))
        now = clock.now()
        media.finalize(body.object, _meta(session_id, req), now)
        item = {
            "object": body.object,
            "content_type": mt.content_type,
            "size": size,
            "sha256": None,
            "md5": md5,
            "uploaded_at": now,
            "retain_until": media.retain_until(now),
        }
        req = actions.add_media(session_id, rid, item)
    except Exception:
        media.delete(body.object)  # refused: the uploaded bytes do not stay
        raise
    return {"request": views.for_end_user(req)}, 201
