"""Who is asking for a recording: the CRM, by one of the keys of RECORDINGS_CRM_KEYS
(compared in constant time, named by key_id, never by the key), and the audit trail of
every access and refusal (`recording_access`, also logged)."""

from __future__ import annotations

import hmac
import time
from typing import Any

import flask

from core import clients, logs
from core.errors import unauthorized
from recordings.config import key_id, rec_settings

log = logs.get("recordings.access")
HEADER = "X-CRM-Key"
AUDIT = "recording_access"


def authenticate(request: flask.Request, sid: str | None = None) -> str:
    given = request.headers.get(HEADER, "")
    ok = False
    for key in rec_settings().crm_key_list:  # no early exit: same time for every key
        ok |= hmac.compare_digest(given.encode("utf-8", "replace"), key.encode())
    if not given or not ok:
        audit(sid, key_id(given) if given else "-", "key_refused", request)
        raise unauthorized(f"a valid {HEADER} header is required")
    return key_id(given)


def _text(value: str | None) -> str | None:
    """Caller-chosen text as storable UTF-8 (a lone surrogate would fail the write)."""
    if value is None:
        return None
    return value[:200].encode("utf-8", "replace").decode("utf-8")


def audit(sid: str | None, who: str, action: str, request: flask.Request, **extra: Any) -> None:
    entry = {
        "recording_sid": _text(sid),
        "key_id": who,
        "action": action,
        "at": time.time(),
        "ip": _text(request.headers.get("X-Forwarded-For", request.remote_addr)),
        "user_agent": _text(request.headers.get("User-Agent", "")),  # at most 200 characters
        **extra,
    }
    clients.firestore().collection(AUDIT).add(entry)
    logs.event(log, f"recording {sid or '-'}: {action} by key {who}", **entry)
