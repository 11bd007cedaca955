"""Custom tones and whisper clips: upload, list, preview, replace, delete (settings.edit;
a team-scoped editor replaces or deletes only clips of their teams' queues).

Built-in tones are listed alongside and previewable too; uploading never changes which
tone is selected, and selecting a built-in tone never deletes an upload.
"""

from __future__ import annotations

from typing import Any

import flask

from core.auth import portal
from core.config.store import get_view
from core.errors import not_found
from notifications import builtin_tones, library
from notifications.library import ClipKind
from notifications.media_links import sign


def _editor(request: flask.Request) -> portal.Principal:
    who = portal.authenticate(request)
    who.require("settings.edit")
    return who


def list_all(request: flask.Request, kind: ClipKind) -> dict[str, Any]:
    _editor(request)
    custom = library.list_clips(kind)
    if kind == "tone":
        return {"builtin": builtin_tones.catalog(), "custom": custom}
    return {"custom": custom}


def upload(request: flask.Request, kind: ClipKind) -> tuple[dict[str, Any], int]:
    who = _editor(request)
    data, name = library.read_upload(request)
    return {kind: library.create(kind, data, name, who.user_id)}, 201


def show(request: flask.Request, kind: ClipKind, clip_id: str) -> dict[str, Any]:
    _editor(request)
    if kind == "tone" and clip_id in builtin_tones.RECIPES:
        return {kind: next(t for t in builtin_tones.catalog() if t["id"] == clip_id)}
    return {kind: library.public(library.require(clip_id, kind))}


def replace(request: flask.Request, kind: ClipKind, clip_id: str) -> dict[str, Any]:
    who = _editor(request)
    if kind == "tone" and clip_id in builtin_tones.RECIPES:
        raise not_found("custom tone")  # built-ins are not replaceable
    # 404 / 403 before reading a large body
    library.require_changeable(who, library.require(clip_id, kind), get_view())
    data, name = library.read_upload(request)
    return {kind: library.replace(kind, clip_id, data, name, who.user_id)}


def delete(request: flask.Request, kind: ClipKind, clip_id: str) -> tuple[dict[str, Any], int]:
    who = _editor(request)
    library.require_changeable(who, library.require(clip_id, kind), get_view())
    library.delete(kind, clip_id)
    return {"deleted": clip_id}, 200


def preview(request: flask.Request, kind: ClipKind, clip_id: str) -> dict[str, Any]:
    """A playable URL valid for a few minutes (an <audio src> in the portal)."""
    _editor(request)
    if kind == "tone" and clip_id in builtin_tones.RECIPES:
        b = builtin_tones.get(clip_id)
        obj, ctype, dur = b.object, b.content_type, b.duration_seconds
    else:
        doc = library.require(clip_id, kind)
        obj, ctype, dur = doc["object"], "audio/mpeg", doc["duration_seconds"]
    url, exp = sign(obj)
    return {
        "id": clip_id,
        "url": url,
        "expires_at": exp,
        "content_type": ctype,
        "duration_seconds": dur,
    }
