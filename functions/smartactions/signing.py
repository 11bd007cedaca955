"""Short-lived URLs for reading media (agent) and uploading it (SDK).

Production: Cloud Storage V4 signed URLs. A Cloud Function has no private key, so when
the credentials cannot sign we pass the service account's email and access token and the
library signs through IAM signBlob (needs roles/iam.serviceAccountTokenCreator on itself).

Emulator fallback: the storage emulator serves V4 URLs but never checks their signature or
expiry, so a test of either could not fail there. With signing "function" (the default
on the emulator) URLs point at this function (/media/<token>, /uploads/<token>) with an
HS256 token naming the bucket, object, method and expiry; the function checks it and
streams from / to the bucket.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt

from core import signing as core_signing
from core.errors import ApiError
from core.settings import settings
from smartactions import clock
from smartactions.config import sa_settings

AUDIENCE = "smartactions-media"


def mode() -> str:
    m = sa_settings().signing
    if m == "auto":
        return "function" if settings().storage_emulator_host else "gcs_v4"
    return m


def _secret() -> bytes:
    # A key of its own (core.signing, per purpose from the deployment's root secret), so a
    # media URL token is never a valid end-user JWT and vice versa.
    return core_signing.derive_key("smartactions-media-urls", sa_settings().url_secret)


def _token(claims: dict[str, Any], ttl: int) -> tuple[str, float]:
    exp = clock.now() + ttl
    body = claims | {"aud": AUDIENCE, "b": settings().media_bucket, "exp": int(exp)}
    return jwt.encode(body, _secret(), algorithm="HS256"), float(int(exp))


def check_token(token: str, method: str) -> dict[str, Any]:
    """Claims of a function-signed URL token, or 403 (bad / tampered) / 410 (expired)."""
    try:
        claims = jwt.decode(
            token,
            _secret(),
            algorithms=["HS256"],
            audience=AUDIENCE,
            options={"verify_exp": False, "require": ["exp", "o", "m", "b"]},
        )
    except jwt.InvalidTokenError:
        raise ApiError(
            403, "bad_signature", "the URL signature is not valid", field="token"
        ) from None
    if claims["m"] != method or claims["b"] != settings().media_bucket:
        raise ApiError(403, "bad_signature", f"this URL is not valid for {method}", field="token")
    if clock.now() >= float(claims["exp"]):
        raise ApiError(410, "url_expired", "the URL has expired; ask for a new one", field="token")
    return claims


def _signer_kwargs(credentials: Any | None) -> dict[str, Any]:
    if credentials is not None:
        return {"credentials": credentials}
    from core import clients

    creds = clients.storage_client()._credentials
    if hasattr(creds, "sign_bytes") and getattr(creds, "signer_email", None):
        return {}
    import google.auth.transport.requests

    if not creds.valid:
        creds.refresh(google.auth.transport.requests.Request())
    return {"service_account_email": creds.service_account_email, "access_token": creds.token}


def _endpoint() -> str | None:
    host = settings().storage_emulator_host
    return host.rstrip("/") if host else None


def read_url(name: str, ttl: int, credentials: Any | None = None) -> tuple[str, float]:
    """(URL, expires_at) to GET one object."""
    if mode() == "function":
        tok, exp = _token({"o": name, "m": "GET"}, ttl)
        return f"{settings().public_url.rstrip('/')}/media/{tok}", exp
    from core import clients

    blob = clients.storage_client().bucket(settings().media_bucket).blob(name)
    kwargs: dict[str, Any] = {"api_access_endpoint": _endpoint()} if _endpoint() else {}
    url = blob.generate_signed_url(
        version="v4",
        expiration=timedelta(seconds=ttl),
        method="GET",
        **kwargs,
        **_signer_kwargs(credentials),
    )
    return url, clock.now() + ttl


def upload_url(
    name: str,
    content_type: str,
    max_bytes: int,
    meta: dict[str, str],
    ttl: int,
    credentials: Any | None = None,
) -> tuple[str, dict[str, str], float]:
    """(URL, headers the uploader must send, expires_at) to PUT one new object."""
    if mode() == "function":
        tok, exp = _token(
            {"o": name, "m": "PUT", "ct": content_type, "max": max_bytes, "meta": meta}, ttl
        )
        return (
            f"{settings().public_url.rstrip('/')}/uploads/{tok}",
            {"Content-Type": content_type},
            exp,
        )
    from core import clients

    blob = clients.storage_client().bucket(settings().media_bucket).blob(name)
    # Signed headers bind size, no-overwrite and our metadata to the URL.
    from datetime import UTC, datetime

    # custom-time lets the lifecycle rule remove an upload that is never verified.
    headers = {
        "x-goog-content-length-range": f"0,{max_bytes}",
        "x-goog-if-generation-match": "0",
        "x-goog-custom-time": datetime.fromtimestamp(clock.now(), UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        ),
        **{f"x-goog-meta-{k}": v for k, v in meta.items()},
    }
    kwargs: dict[str, Any] = {"api_access_endpoint": _endpoint()} if _endpoint() else {}
    url = blob.generate_signed_url(
        version="v4",
        expiration=timedelta(seconds=ttl),
        method="PUT",
        content_type=content_type,
        headers=headers,
        **kwargs,
        **_signer_kwargs(credentials),
    )
    return url, {"Content-Type": content_type, **headers}, clock.now() + ttl
