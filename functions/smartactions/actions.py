"""SmartAction requests: their state machine, kept on the session document.

Each request lives in the session's `smartactions` map, so a state change and its session
event are written in one transaction (core.sessions.store) with a deterministic key:
a retried call changes nothing twice and publishes one event. A request leaves
"requested" exactly once: fulfilled, declined or expired (at its time limit, recorded the
first time anyone looks after it, via `expire_due`).
"""

from __future__ import annotations

import copy
import hashlib
import secrets
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.errors import ApiError, bad_request, not_found
from core.sessions import store
from smartactions import clock, verification
from smartactions.config import sa_settings
from smartactions.kinds import MAX_PHOTOS, RULES, Kind

FIELD = "smartactions"


class CreateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Kind
    prompt: str | None = Field(None, max_length=500)
    ttl_seconds: int | None = Field(None, ge=10)
    max_count: int | None = Field(None, ge=1, le=MAX_PHOTOS)  # photos only
    client_request_id: str | None = Field(None, min_length=1, max_length=128)


class Fulfil(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # A verification result is only accepted signed by the company backend (a JWT, see
    # smartactions.verification); the app's own word is not a verification.
    verification: str | None = Field(
        None,
        min_length=1,
        max_length=8192,
        description="JWT signed by the company backend: purpose smartactions_verification, "
        "session_id, request_id, result {method, success}, jti, iat, exp",
    )
    text: str | None = Field(None, min_length=1, max_length=4000)


class Decline(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(None, max_length=500)


def key(session_id: str, rid: str, what: str) -> str:
    return f"{session_id}:smartaction:{rid}:{what}"


def requests_of(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(doc.get(FIELD) or {})


def find(doc: dict[str, Any], rid: str) -> dict[str, Any]:
    req = requests_of(doc).get(rid)
    if req is None:
        raise not_found("smartaction request")
    return req


def is_due(req: dict[str, Any], now: float) -> bool:
    return req["state"] == "requested" and now >= req["expires_at"]


def _with(doc: dict[str, Any], rid: str, req: dict[str, Any]) -> dict[str, Any]:
    reqs = copy.deepcopy(requests_of(doc))
    reqs[rid] = req
    return {FIELD: reqs}


def _event(req: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "request_id": req["id"],
        "kind": req["kind"],
        "state": req["state"],
        "requested_by": req["requested_by"],
    } | extra


def create(session_id: str, requested_by: str, body: CreateRequest) -> tuple[dict, bool]:
    """A new request (or, for a repeated client_request_id, the one already made)."""
    s = sa_settings()
    ttl = body.ttl_seconds or s.default_request_ttl_seconds
    if ttl > s.max_request_ttl_seconds:
        raise bad_request("ttl_seconds", f"at most {s.max_request_ttl_seconds}")
    rule = RULES[body.kind]
    if body.max_count is not None and body.kind != "photo":
        raise bad_request("max_count", "only photo requests take a count")
    if body.client_request_id:
        digest = hashlib.sha256(
            f"{session_id}:{requested_by}:{body.client_request_id}".encode()
        ).hexdigest()
        rid = "SA" + digest[:32]
    else:
        rid = "SA" + secrets.token_hex(16)
    now = clock.now()
    req: dict[str, Any] = {
        "id": rid,
        "session_id": session_id,
        "kind": body.kind,
        "state": "requested",
        "prompt": body.prompt,
        "requested_by": requested_by,
        "created_at": now,
        "expires_at": now + ttl,
        "max_count": body.max_count or rule.max_count,
        "media": [],
        "result": None,
        "decline_reason": None,
        "completed_at": None,
    }

    def changes(cur: dict[str, Any]) -> dict[str, Any]:
        reqs = requests_of(cur)
        if rid in reqs:
            return {}  # a retry: the event key is already there, nothing is written
        if len(reqs) >= s.max_requests_per_session:
            raise ApiError(
                409,
                "too_many_requests",
                f"a session takes at most {s.max_requests_per_session} requests",
                field="kind",
            )
        return _with(cur, rid, req)

    doc, changed = store.update(
        session_id,
        changes,
        "smartaction.requested",
        _event(req, expires_at=req["expires_at"]),
        key(session_id, rid, "requested"),
    )
    return find(doc, rid), changed


def expire_due(session_id: str, doc: dict[str, Any]) -> dict[str, Any]:
    """Record expiry of every request past its time limit (one event each); new doc."""
    now = clock.now()
    if not any(is_due(r, now) for r in requests_of(doc).values()):
        return doc

    def mut(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list]:
        if cur is None:
            raise not_found("session")
        reqs = copy.deepcopy(requests_of(cur))
        evs = []
        for rid, r in reqs.items():
            if is_due(r, now):
                r.update(state="expired", completed_at=r["expires_at"])
                evs.append(("smartaction.expired", _event(r), key(session_id, rid, "expired")))
        if not evs:
            return None, []
        return dict(cur) | {FIELD: reqs, "updated_at": now}, evs

    new, _ = store.mutate(session_id, mut)
    return new or doc


def open_request(cur: dict[str, Any], rid: str) -> dict[str, Any]:
    """A copy of the request if it can still be answered, else 409 naming why."""
    req = copy.deepcopy(find(cur, rid))
    if is_due(req, clock.now()):
        raise ApiError(409, "expired", "the request's time limit has passed", field="state")
    if req["state"] != "requested":
        raise ApiError(
            409, f"already_{req['state']}", f"the request is {req['state']}", field="state"
        )
    if cur.get("status") != "connected":
        raise ApiError(409, "session_not_live", f"session is {cur.get('status')}", field="status")
    return req


def check_room(req: dict[str, Any], field: str = "media") -> None:
    if not RULES[req["kind"]].takes_media:
        raise ApiError(409, "no_media", f"a {req['kind']} request takes no media", field=field)
    if len(req["media"]) >= req["max_count"]:
        raise ApiError(
            409,
            "too_many_files",
            f"{field}: this {req['kind']} request takes at most {req['max_count']} file(s)",
            field=field,
            errors=[{"field": field, "problem": f"at most {req['max_count']}"}],
        )


def add_media(session_id: str, rid: str, item: dict[str, Any]) -> dict[str, Any]:
    """Link a stored object to the request (count checked again inside the transaction)."""

    def changes(cur: dict[str, Any]) -> dict[str, Any]:
        req = open_request(cur, rid)
        check_room(req)
        req["media"] = [*req["media"], item]
        return _with(cur, rid, req)

    doc, _ = store.update(
        session_id,
        changes,
        "smartaction.media_added",
        {
            "request_id": rid,
            "object": item["object"],
            "content_type": item["content_type"],
            "size": item["size"],
        },
        key(session_id, rid, f"media:{item['object']}"),
    )
    return find(doc, rid)


def fulfil(
    session_id: str, rid: str, body: Fulfil, verified: verification.Verified | None = None
) -> dict[str, Any]:
    """Answer a request; a verification carries its checked, company-signed result."""

    def mut(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list]:
        if cur is None:
            raise not_found("session")
        req = open_request(cur, rid)
        kind = req["kind"]
        now = clock.now()
        result: dict[str, Any]
        if kind == "verification":
            if body.verification is None or verified is None:
                raise bad_request("verification", "required for a verification request")
            if body.text is not None:
                raise bad_request("text", "not accepted by a verification request")
            result = {"verification": verified.stored(now)}
        elif kind == "text":
            if body.text is None:
                raise bad_request("text", "required for a text request")
            if body.verification is not None:
                raise bad_request("verification", "not accepted by a text request")
            result = {"text": body.text}
        else:
            for name in ("verification", "text"):
                if getattr(body, name) is not None:
                    raise bad_request(name, f"not accepted by a {kind} request; upload media")
            if not req["media"]:
                raise bad_request("media", "upload at least one file before fulfilling")
            result = {"media_count": len(req["media"])}
        req.update(state="fulfilled", result=result, completed_at=now)
        # Event data says what happened, never the end user's answer itself (may be private).
        data: dict[str, Any] = {"request_id": rid, "state": "fulfilled"}
        if kind == "verification":
            data["verification"] = {
                k: result["verification"][k] for k in ("method", "success", "verified_by")
            }
        new = dict(cur) | _with(cur, rid, req) | {"updated_at": time.time()}
        return new, [("smartaction.fulfilled", data, key(session_id, rid, "fulfilled"))]

    def also(txn: Any, _new: dict[str, Any]) -> None:
        if verified is not None:
            verification.record_use(txn, verified, session_id, rid, clock.now())

    from google.api_core.exceptions import Conflict

    try:
        doc, _ = store.mutate(session_id, mut, also=also)
    except Conflict:
        raise verification.reused() from None
    assert doc is not None
    return find(doc, rid)


def decline(session_id: str, rid: str, body: Decline) -> dict[str, Any]:
    def changes(cur: dict[str, Any]) -> dict[str, Any]:
        req = open_request(cur, rid)
        req.update(state="declined", decline_reason=body.reason, completed_at=clock.now())
        return _with(cur, rid, req)

    doc, _ = store.update(
        session_id,
        changes,
        "smartaction.declined",
        {"request_id": rid, "state": "declined"},
        key(session_id, rid, "declined"),
    )
    return find(doc, rid)
