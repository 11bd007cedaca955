"""Uploaded audio: custom tones and whisper clips (MP3, validated by content).

One Firestore document per clip in `tones` (kind "tone" or "whisper") and one object per
version in the media bucket. Upload writes the object first and the document second, so
a failure never leaves a document pointing at nothing; a replaced or deleted clip's old
object is removed only after the document stopped pointing at it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from typing import Any

import flask
from werkzeug.exceptions import RequestEntityTooLarge

from core import clients, logs, mp3, mp3_upload
from core.auth.portal import Principal
from core.config.store import get_view
from core.config.view import CenterView
from core.errors import ApiError, bad_request, conflict, not_found
from core.settings import settings
from notifications.effective import KINDS, ClipKind

COLLECTION = "tones"
MULTIPART_FRAMING = 16 * 1024  # boundaries, part headers and a `name` field
log = logs.get("notifications.library")


def _coll() -> Any:
    return clients.firestore().collection(COLLECTION)


def _bucket() -> Any:
    return clients.storage_client().bucket(settings().media_bucket)


def read_upload(request: flask.Request) -> tuple[bytes, str | None]:
    """(bytes, name) from multipart `file` (+ `name`) or a raw body (+ ?name=).

    Either way no more than the limit (plus the multipart framing) is read, with or
    without Content-Length: a chunked upload is refused with 413 before the rest of it.
    """
    if request.mimetype == "multipart/form-data":
        # The form parser reads the whole body; the cap makes it stop at the limit.
        request.max_content_length = mp3.MAX_BYTES + MULTIPART_FRAMING
        try:
            f = request.files.get("file")
            form = request.form
        except RequestEntityTooLarge:
            raise mp3_upload.too_large(mp3.MAX_BYTES, request.content_length) from None
        if f is None:
            raise bad_request("file", "send the audio as the multipart field `file`")
        unknown = set(form) - {"name"}
        if unknown:
            raise bad_request(sorted(unknown)[0], "unknown field")
        data = f.stream.read(mp3.MAX_BYTES + 1)
        name = form.get("name") or (f.filename or "").rsplit(".", 1)[0] or None
        return data, name
    return mp3_upload.read_body(request), request.args.get("name")


def _clean_name(name: str | None, fallback: str) -> str:
    name = (name or fallback).strip()
    if not 1 <= len(name) <= 80 or any(ord(c) < 32 for c in name):
        raise bad_request("name", "1-80 printable characters")
    return name


def _store_object(clip_id: str, kind: ClipKind, data: bytes) -> tuple[str, str]:
    digest = hashlib.sha256(data).hexdigest()
    obj = f"notifications/{kind}s/{clip_id}/{digest[:20]}.mp3"
    blob = _bucket().blob(obj)
    blob.upload_from_string(data, content_type="audio/mpeg")
    return obj, digest


def _delete_object(obj: str) -> None:
    from google.api_core.exceptions import NotFound

    try:
        _bucket().blob(obj).delete()
    except NotFound:
        pass


def public(doc: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "id",
        "kind",
        "name",
        "size",
        "duration_seconds",
        "sample_rate",
        "frames",
        "version",
        "created_at",
        "updated_at",
        "created_by",
    )
    return {"source": "custom", "content_type": "audio/mpeg"} | {k: doc.get(k) for k in keys}


_CLIP_ID = re.compile(r"^[tw]_[0-9a-f]{16}$")


def get(clip_id: str, kind: ClipKind | None = None) -> dict[str, Any] | None:
    if not _CLIP_ID.match(clip_id or ""):  # ours only: never a path Firestore rejects
        return None
    snap = _coll().document(clip_id).get()
    doc = snap.to_dict() if snap.exists else None
    if doc is None or (kind is not None and doc.get("kind") != kind):
        return None
    return doc


def require(clip_id: str, kind: ClipKind) -> dict[str, Any]:
    doc = get(clip_id, kind)
    if doc is None:
        raise not_found("tone" if kind == "tone" else "whisper clip")
    return doc


def list_clips(kind: ClipKind) -> list[dict[str, Any]]:
    from google.cloud.firestore_v1.base_query import FieldFilter

    docs = [d.to_dict() for d in _coll().where(filter=FieldFilter("kind", "==", kind)).stream()]
    return [public(d) for d in sorted(docs, key=lambda d: d.get("created_at", 0))]


def create(kind: ClipKind, data: bytes, name: str | None, user_id: str) -> dict[str, Any]:
    info = mp3_upload.check(data)
    name = _clean_name(name, "Custom tone" if kind == "tone" else "Whisper clip")
    clip_id = ("t_" if kind == "tone" else "w_") + secrets.token_hex(8)
    obj, digest = _store_object(clip_id, kind, data)
    now = time.time()
    doc = {
        "id": clip_id,
        "kind": kind,
        "name": name,
        "object": obj,
        "sha256": digest,
        "size": len(data),
        "duration_seconds": info.duration_seconds,
        "sample_rate": info.sample_rate,
        "frames": info.frames,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "created_by": user_id,
    }
    try:
        _coll().document(clip_id).create(doc)
    except Exception:
        _delete_object(obj)
        raise
    logs.event(log, "clip uploaded", clip_id=clip_id, kind=kind, size=len(data))
    return public(doc)


def replace(
    kind: ClipKind, clip_id: str, data: bytes, name: str | None, user_id: str
) -> dict[str, Any]:
    from google.cloud import firestore

    require(clip_id, kind)
    info = mp3_upload.check(data)
    new_name = _clean_name(name, "x") if name is not None else None
    obj, digest = _store_object(clip_id, kind, data)
    ref = _coll().document(clip_id)

    @firestore.transactional
    def txn(t: Any) -> tuple[dict[str, Any], str | None]:
        snap = ref.get(transaction=t)
        if not snap.exists:
            raise not_found("tone" if kind == "tone" else "whisper clip")
        cur = snap.to_dict()
        new = cur | {
            "object": obj,
            "sha256": digest,
            "size": len(data),
            "duration_seconds": info.duration_seconds,
            "sample_rate": info.sample_rate,
            "frames": info.frames,
            "version": cur.get("version", 1) + 1,
            "updated_at": time.time(),
            "updated_by": user_id,
        }
        if new_name:
            new["name"] = new_name
        t.set(ref, new)
        return new, cur.get("object")

    try:
        new, old_obj = txn(clients.firestore().transaction())
    except Exception:
        _delete_object(obj)
        raise
    if old_obj and old_obj != obj:
        _delete_object(old_obj)
    return public(new)


def usages(view: CenterView, clip_id: str) -> list[str]:
    """Where the applied config selects this clip (raw settings, not inherited copies)."""
    out: list[str] = []

    def scan(where: str, part: Any) -> None:
        if part is None:
            return
        if part.whisper is not None and part.whisper.audio == clip_id:
            out.append(f"{where}.whisper.audio")
        for slot, tone in (part.tones.model_dump() if part.tones else {}).items():
            if tone and tone.get("custom") == clip_id:
                out.append(f"{where}.tones.{slot}.custom")

    for kind in KINDS:
        scan(f"center.notifications.{kind}", getattr(view.center.notifications, kind))
        for qid, node in view.queues.items():
            n = node.cfg.notifications
            scan(f"queues.{qid}.notifications.{kind}", getattr(n, kind) if n else None)
    return out


def require_changeable(who: Principal, doc: dict[str, Any], view: CenterView) -> None:
    """Replacing or deleting a clip changes what every queue selecting it plays.

    An editor whose scope is all queues may change any clip. A team-scoped editor only
    a clip every selection of which is a queue of their teams (their queues' sub-queues,
    which inherit, are theirs too; a center-level selection reaches every queue), and a
    clip no setting selects only if they uploaded it.
    """
    if who.all_queues:
        return
    used = usages(view, doc["id"])
    outside = [
        u for u in used if not (u.startswith("queues.") and who.can_see_queue(u.split(".")[1]))
    ]
    if used and not outside:
        return
    if not used and doc.get("created_by") == who.user_id:
        return
    where = ", ".join(outside) if outside else "no setting (uploaded by another user)"
    raise ApiError(
        403,
        "forbidden",
        f"id: this clip is selected outside your teams' queues: {where}",
        field="id",
        errors=[{"field": u, "problem": "outside your teams' queues"} for u in outside]
        or [{"field": "id", "problem": "an unused clip of another user"}],
    )


def delete(kind: ClipKind, clip_id: str) -> None:
    doc = require(clip_id, kind)
    used = usages(get_view(), clip_id)
    if used:
        err = conflict(
            f"{clip_id} is selected in {', '.join(used)}; select another tone there first"
        )
        err.field = "id"
        err.errors = [{"field": u, "problem": "selects this clip"} for u in used]
        raise err
    _coll().document(clip_id).delete()
    _delete_object(doc["object"])
