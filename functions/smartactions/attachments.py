"""Web chat attachments from the end user: .png, .jpg, .mp4 only, judged by content.

The name's extension must be one of those and the bytes must really be that type; a
.png that is an executable is refused with 415 before anything reaches the bucket.
"""

from __future__ import annotations

import copy
import re
import secrets
from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field

from core.errors import ApiError
from core.http import parse_query
from core.sessions import store
from smartactions import access, clock, media, views
from smartactions.config import sa_settings
from smartactions.sniff import EXTENSIONS, describe, sniff

FIELD = "attachments"
_SAFE_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")


class AttachmentQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: str = Field(min_length=1, max_length=200, pattern=_SAFE_NAME.pattern)


def _refuse(field: str, problem: str, status: int = 415) -> ApiError:
    return ApiError(
        status,
        "unsupported_media",
        f"{field}: {problem}",
        field=field,
        errors=[{"field": field, "problem": problem}],
    )


def upload(request: flask.Request, session_id: str) -> tuple[dict[str, Any], int]:
    user, doc = access.end_user(request, session_id)
    access.require_attachments(doc)
    store.require_live(doc)
    q = parse_query(request, AttachmentQuery)
    ext = q.filename.rsplit(".", 1)[-1].lower() if "." in q.filename else ""
    expected = EXTENSIONS.get(ext)
    if expected is None:
        raise _refuse("query.filename", "only .png, .jpg and .mp4 files can be attached")
    s = sa_settings()
    if len(doc.get(FIELD) or []) >= s.max_attachments_per_session:
        raise ApiError(
            409,
            "too_many_files",
            f"a chat takes at most {s.max_attachments_per_session} attachments",
            field="body",
        )
    from smartactions.uploads import content_length

    size = content_length(request)
    head = media.read_head(request.stream)
    actual = sniff(head)
    if actual != expected:
        what = actual.name.upper() if actual else describe(head)
        raise _refuse(
            "body",
            f"{q.filename} is {what}, not {expected.name.upper()}; "
            "attachments are judged by content",
        )
    limit = s.max_video_bytes if expected.family == "video" else s.max_image_bytes
    if size > limit:
        raise media.too_large("body", limit)
    aid = "AT" + secrets.token_hex(12)
    name = media.object_name(session_id, "attachments", expected.extension)
    item = media.put(
        request.stream,
        size,
        head,
        expected.content_type,
        name,
        limit,
        {"session_id": session_id, "attachment_id": aid},
    )
    item |= {"id": aid, "filename": q.filename, "by": user.identifier}

    def changes(cur: dict[str, Any]) -> dict[str, Any]:
        items = copy.deepcopy(cur.get(FIELD) or [])
        if len(items) >= s.max_attachments_per_session:
            raise ApiError(409, "too_many_files", "attachment limit reached", field="body")
        if cur.get("status") not in ("queued", "connected"):
            raise ApiError(
                409, "session_not_live", f"session is {cur.get('status')}", field="status"
            )
        return {FIELD: [*items, item]}

    try:
        store.update(
            session_id,
            changes,
            "attachment.added",
            {
                "attachment_id": aid,
                "content_type": item["content_type"],
                "size": size,
                "by": user.identifier,
            },
            f"{session_id}:attachment:{aid}",
        )
    except Exception:
        media.delete(name)
        raise
    return {
        "attachment": {
            k: item[k] for k in ("id", "filename", "content_type", "size", "uploaded_at")
        }
    }, 201


def list_for_agent(request: flask.Request, session_id: str) -> dict[str, Any]:
    _, doc = access.agent(request, session_id)
    now = clock.now()
    return {"attachments": [views.media_item(a, now) for a in doc.get(FIELD) or []]}
