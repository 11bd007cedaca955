"""Reading a stored recording: only with a CRM key and its second factor (recordings/mfa.py:
a TOTP handshake gives a short-lived session), only through a short-lived URL, and every
access and every refusal is written to Firestore (`recording_access`) and logged.

Keys come from RECORDINGS_CRM_KEYS (several, so they can be rotated) and are compared in
constant time. The URL is a Cloud Storage V4 signed URL in the cloud. The storage emulator
can neither sign nor check V4 signatures, so there (signing=auto) the URL points at this
function with an HMAC over (sid, expiry) instead; the same expiry and tamper checks apply
and the bytes are streamed from the bucket.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import flask

from core import logs, signing
from core.errors import ApiError, not_found
from core.settings import settings
from recordings import mfa, state, storage_io
from recordings.config import rec_settings
from recordings.crm_keys import audit, authenticate

log = logs.get("recordings.access")
READABLE = ("stored", "confirmed", "failed")


PURPOSE = "recordings-media-url"


def _sig(sid: str, exp: int) -> str:
    return signing.sign_expiring(PURPOSE, sid, exp, rec_settings().url_secret)


def _mode() -> str:
    mode = rec_settings().signing
    if mode == "auto":
        return "function" if settings().storage_emulator_host else "gcs_v4"
    return mode


def _v4_url(sid: str, ttl: int) -> str:
    import google.auth
    from google.auth.transport.requests import Request

    creds, _ = google.auth.default()
    creds.refresh(Request())
    # Cloud Functions credentials hold no private key: sign through IAM (signBlob) with
    # the function's service account and a fresh access token.
    return storage_io.blob(sid).generate_signed_url(
        version="v4",
        expiration=timedelta(seconds=ttl),
        method="GET",
        service_account_email=getattr(creds, "service_account_email", None),
        access_token=creds.token,
    )


def signed_url(request: flask.Request, sid: str) -> dict[str, Any]:
    who = authenticate(request, sid)
    try:
        mfa.require_session(request, who)
    except ApiError:
        audit(sid, who, "mfa_session_refused", request)
        raise
    doc = state.get(sid)
    if doc is None or doc.get("status") not in READABLE:
        audit(sid, who, "url_refused", request)
        raise not_found("recording")
    ttl = rec_settings().url_ttl_seconds
    exp = int(time.time()) + ttl
    mode = _mode()
    if mode == "gcs_v4":
        url = _v4_url(sid, ttl)
    else:
        url = (
            f"{settings().public_url.rstrip('/')}/recordings/{sid}/media"
            f"?exp={exp}&sig={_sig(sid, exp)}"
        )
    audit(sid, who, "url_issued", request, mode=mode, expires_at=exp)
    return {"url": url, "expires_at": exp, "mode": mode}


def media(request: flask.Request, sid: str) -> flask.Response:
    """The function-signed URL (emulator fallback): check expiry and HMAC, then stream."""
    try:
        exp = signing.verify_expiring(
            PURPOSE,
            sid,
            request.args.get("exp"),
            request.args.get("sig"),
            root=rec_settings().url_secret,
        )
    except signing.SignatureError as exc:
        audit(sid[:64], "signed-url", "media_refused", request, reason=exc.reason)
        if isinstance(exc, signing.Expired):
            raise ApiError(403, "expired", exc.message, field=exc.field) from None
        if isinstance(exc, signing.Malformed) and exc.field == "exp":
            raise ApiError(400, "invalid_field", exc.message, field="exp") from None
        raise ApiError(403, "bad_signature", "sig does not match", field=exc.field) from None
    doc = state.get(sid)
    if doc is None or doc.get("status") not in READABLE:
        audit(sid, "signed-url", "media_refused", request, reason="not_found")
        raise not_found("recording")
    size = int(doc.get("size") or 0)
    reader = storage_io.RangeReader(sid, 0, size, rec_settings().http_timeout_seconds)

    def body() -> Any:
        try:
            while chunk := reader.read(storage_io.CHUNK):
                yield chunk
        finally:
            reader.close()

    audit(sid, "signed-url", "media_read", request, expires_at=exp)
    return flask.Response(
        body(),
        status=200,
        mimetype=doc.get("content_type") or "audio/x-wav",
        headers={"Content-Length": str(size)},
    )
