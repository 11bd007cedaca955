"""The second factor for reading recordings (source rule: recordings are accessible only
through an MFA handshake, and only by authenticated CRM keys).

A CRM key alone opens nothing. The handshake is `POST /recordings/session` with the key
(X-CRM-Key) and a TOTP code (X-CRM-TOTP, RFC 6238: 6 digits, 30 s steps, SHA-1, one step
of clock drift either way) from the secret enrolled for that key; the answer is a session
token (X-CRM-Session) bound to that key, valid RECORDINGS_MFA_SESSION_SECONDS. Every
`GET /recordings/{sid}/url` needs the key and a live session token of the same key.

- Enrolment: RECORDINGS_CRM_TOTP_SECRETS (Secret Manager) holds `key_id:BASE32SECRET`
  entries, key_id = config.key_id(key) (a hash prefix, never the key); `python -m
  recordings.enrol` makes one (docs/recordings.md).
- Replay: a code is good once. The first use creates `recording_totp_used/{key_id}-{step}`
  (a create, which fails atomically if it exists); a second use of the same step is
  refused. The documents carry `expire_at` for a TTL policy.
- Lockout: failed codes count per key in `recording_mfa_failures/{key_id}` (transaction);
  RECORDINGS_TOTP_MAX_FAILURES within RECORDINGS_TOTP_LOCKOUT_SECONDS lock the key's
  handshake out (429 + Retry-After) until the window ends, and raise an alert. A success
  clears the count.
- Audit: every success and every failure is a `recording_access` entry (no codes, no
  tokens, no keys in it).
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import time
from typing import Any

import flask

from core import clients, signing
from core.errors import ApiError, too_many, unauthorized
from recordings import crm_keys
from recordings.config import rec_settings

CODE_HEADER = "X-CRM-TOTP"
SESSION_HEADER = "X-CRM-Session"
USED = "recording_totp_used"
FAILURES = "recording_mfa_failures"
PURPOSE = "recordings-mfa-session"
STEP = 30
DRIFT = 1  # steps accepted either side of now
_CODE = re.compile(r"[0-9]{6}")


def _expire(at: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(at, dt.UTC)


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step whose code this is (within the drift), or None."""
    import pyotp

    totp = pyotp.TOTP(secret, interval=STEP)
    step = int(now // STEP)
    found = None
    for s in range(step - DRIFT, step + DRIFT + 1):  # no early exit: same time for each
        if hmac.compare_digest(totp.at(s * STEP).encode(), code.encode()):
            found = s
    return found


def locked_for(key_id: str, now: float) -> float:
    """Seconds the key's handshake stays locked out (0: not locked)."""
    snap = clients.firestore().collection(FAILURES).document(key_id).get()
    doc = snap.to_dict() or {}
    return max(0.0, float(doc.get("locked_until") or 0) - now)


def _count_failure(key_id: str, now: float) -> bool:
    """Count one failed code; True if this failure locks the key out."""
    from google.cloud import firestore

    rs = rec_settings()
    ref = clients.firestore().collection(FAILURES).document(key_id)

    @firestore.transactional
    def run(t: Any) -> bool:
        snap = ref.get(transaction=t)
        cur = snap.to_dict() or {}
        start = float(cur.get("window_start") or 0)
        count = int(cur.get("count") or 0)
        if now - start > rs.totp_lockout_seconds:
            start, count = now, 0
        count += 1
        locks = count >= rs.totp_max_failures
        until = now + rs.totp_lockout_seconds if locks else float(cur.get("locked_until") or 0)
        t.set(
            ref,
            {
                "key_id": key_id,
                "window_start": start,
                "count": count,
                "locked_until": until,
                "expire_at": _expire(max(until, start + rs.totp_lockout_seconds) + 3600),
            },
        )
        return locks and count == rs.totp_max_failures

    return bool(run(clients.firestore().transaction()))


def _use_once(key_id: str, step: int, now: float) -> bool:
    """Mark the code of `step` used; False if it was used before (a replay)."""
    from google.api_core.exceptions import AlreadyExists, Conflict

    try:
        clients.firestore().collection(USED).document(f"{key_id}-{step}").create(
            {
                "key_id": key_id,
                "step": step,
                "at": now,
                "expire_at": _expire((step + DRIFT + 1) * STEP + 3600),
            }
        )
    except (AlreadyExists, Conflict):
        return False
    return True


def start_session(request: flask.Request) -> dict[str, Any]:
    """The handshake: CRM key + one-time code -> a session token for that key."""
    from recordings.alerts import alert

    who = crm_keys.authenticate(request)
    now = time.time()
    rs = rec_settings()
    wait = locked_for(who, now)
    if wait > 0:
        crm_keys.audit(None, who, "mfa_locked_out", request, retry_after=int(wait) + 1)
        raise too_many(int(wait) + 1)
    secret = rs.totp_secret_for(who)
    if secret is None:
        crm_keys.audit(None, who, "mfa_not_enrolled", request)
        raise unauthorized(f"no second factor is enrolled for this {crm_keys.HEADER}")
    code = (request.headers.get(CODE_HEADER) or "").strip()
    step = matching_step(secret, code, now) if _CODE.fullmatch(code) else None
    reason = "mfa_refused" if step is None else None
    if step is not None and not _use_once(who, step, now):
        reason = "mfa_replayed"
    if reason:
        locked = _count_failure(who, now)
        crm_keys.audit(None, who, reason, request, locked_out=locked)
        if locked:
            alert(
                "recording.access_locked_out",
                "-",
                f"key {who}: {rs.totp_max_failures} failed codes; handshake locked",
                key_id=who,
            )
        raise ApiError(
            401,
            "unauthorized",
            f"{CODE_HEADER}: missing, wrong, expired or already used",
            field=CODE_HEADER,
        )
    clients.firestore().collection(FAILURES).document(who).delete()
    token, exp = issue(who, now)
    crm_keys.audit(None, who, "mfa_session_issued", request, expires_at=exp)
    return {"session": token, "expires_at": exp}


def issue(who: str, now: float | None = None) -> tuple[str, int]:
    """(session token, expiry) for a key that has just passed the handshake."""
    rs = rec_settings()  # the root secret this function holds (as for its media URLs)
    exp, sig = signing.url_params(PURPOSE, who, rs.mfa_session_seconds, now, rs.url_secret)
    return f"{who}.{exp}.{sig}", exp


def require_session(request: flask.Request, who: str) -> None:
    """A live session token of the same key, or 401."""
    token = request.headers.get(SESSION_HEADER) or ""
    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise signing.Malformed(SESSION_HEADER, "not a session token")
        owner, exp, sig = parts
        signing.verify_expiring(PURPOSE, owner, exp, sig, root=rec_settings().url_secret)
        if not hmac.compare_digest(owner.encode("utf-8", "replace"), who.encode()):
            raise signing.Mismatch(SESSION_HEADER, "the session is another key's")
    except signing.SignatureError as exc:
        raise ApiError(
            401,
            "mfa_required",
            f"{SESSION_HEADER}: a live session from POST /recordings/session is required "
            f"({exc.reason})",
            field=SESSION_HEADER,
        ) from None
