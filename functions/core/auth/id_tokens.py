"""Who signed in, from a Google-issued ID token.

- People: Identity Platform ID tokens (email / password, Google, SAML / OIDC providers),
  verified by firebase-admin: signature (Google's securetoken keys), issuer and audience
  (this project), expiry, and on request revocation / a disabled account. On the local
  suite FIREBASE_AUTH_EMULATOR_HOST makes firebase-admin accept the Auth emulator's
  unsigned tokens; the cloud refuses to start with it set (core.settings).
- Automation (CI, the config CLI): Google service-account ID tokens, verified by
  google-auth against Google's certificates (SERVICE_TOKEN_CERTS_URL), with an audience.

Both libraries are imported on first use: a cold start that serves no portal request
never pays for them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Literal

from core.caches import on_reset
from core.errors import ApiError
from core.settings import settings

PERSON_ISSUER_PREFIX = "https://securetoken.google.com/"
SERVICE_ISSUERS = frozenset({"accounts.google.com", "https://accounts.google.com"})
CERTS_TTL_SECONDS = 300  # when the certificate response names no max-age


@dataclass(frozen=True)
class Identity:
    kind: Literal["person", "service"]
    email: str
    email_verified: bool
    subject: str  # Identity Platform uid, or the service account's unique id
    second_factor: str | None = None  # "phone", "totp", ... when MFA was used


def _bad(code: str, message: str, status: int = 401) -> ApiError:
    return ApiError(status, code, message, field="Authorization")


def person_issuer() -> str:
    return PERSON_ISSUER_PREFIX + settings().google_cloud_project


# -- people: Identity Platform --------------------------------------------------------------
_app_lock = threading.Lock()


def _firebase_app() -> Any:
    import firebase_admin

    s = settings()
    project = s.google_cloud_project
    # firebase-admin fixes the emulator choice when its auth client is made: one app each.
    name = f"cc-{project}" + ("-emulator" if s.firebase_auth_emulator_host else "")
    with _app_lock:
        try:
            return firebase_admin.get_app(name)
        except ValueError:
            # No explicit credential: Application Default Credentials (the function's own
            # service account) for the revocation look-up; none are needed to verify.
            return firebase_admin.initialize_app(options={"projectId": project}, name=name)


def verify_person(token: str, *, check_revoked: bool) -> Identity:
    from firebase_admin import auth, exceptions

    leeway = max(0, min(settings().jwt_leeway_seconds, 60))  # firebase-admin allows 0..60
    try:
        claims = auth.verify_id_token(
            token, app=_firebase_app(), check_revoked=check_revoked, clock_skew_seconds=leeway
        )
    except auth.ExpiredIdTokenError:
        raise _bad("token_expired", "the ID token has expired; sign in again") from None
    except auth.RevokedIdTokenError:
        raise _bad("token_revoked", "the ID token has been revoked; sign in again") from None
    except auth.UserDisabledError:
        raise _bad("user_disabled", "this sign-in account is disabled", 403) from None
    except auth.UserNotFoundError:
        raise _bad("unknown_account", "this sign-in account no longer exists") from None
    except auth.CertificateFetchError:
        raise ApiError(
            503, "auth_unavailable", "cannot fetch the token signing keys; try again"
        ) from None
    except (auth.InvalidIdTokenError, ValueError) as exc:
        raise _bad("bad_token", f"invalid ID token: {_reason(exc)}") from None
    except exceptions.FirebaseError:
        # The revocation look-up could not reach Identity Platform.
        raise ApiError(
            503, "auth_unavailable", "cannot check the sign-in account; try again"
        ) from None
    firebase = claims.get("firebase") or {}
    email = claims.get("email")
    if not isinstance(email, str) or not email:
        raise _bad("no_email", "the signed-in account has no email", 403)
    factor = firebase.get("sign_in_second_factor")
    return Identity(
        kind="person",
        email=email,
        email_verified=claims.get("email_verified") is True,
        subject=str(claims.get("uid") or claims.get("sub")),
        second_factor=factor if isinstance(factor, str) and factor else None,
    )


def _reason(exc: Exception) -> str:
    """What was wrong, in our words: library messages may quote the token itself."""
    text = str(exc).lower()
    for needle, reason in (
        ("expired", "expired"),
        ("audience", "issued for another audience"),
        ('"aud"', "issued for another audience"),
        ("issuer", "issued by another issuer"),
        ('"iss"', "issued by another issuer"),
        ("signature", "bad signature"),
        ("kid", "unknown signing key"),
        ("certificate", "unknown signing key"),
        ("too early", "issued in the future"),
        ("future", "issued in the future"),
    ):
        if needle in text:
            return reason
    return "malformed"


# -- automation: Google service-account ID tokens -------------------------------------------
_certs_lock = threading.Lock()
_certs_cache: dict[str, tuple[float, dict[str, str]]] = {}


@on_reset
def _forget_certs() -> None:
    with _certs_lock:
        _certs_cache.clear()


def _max_age(cache_control: str) -> int | None:
    for part in cache_control.split(","):
        k, _, v = part.strip().partition("=")
        if k.lower() == "max-age" and v.isdigit():
            return int(v)
    return None


def _certs(url: str, *, refresh: bool = False) -> dict[str, str]:
    """Google's x509 certificates by key id, cached as long as the response allows."""
    import requests

    now = time.monotonic()
    with _certs_lock:
        hit = _certs_cache.get(url)
        if hit and hit[0] > now and not refresh:
            return hit[1]
    try:
        resp = requests.get(url, timeout=5)
        resp.raise_for_status()
        certs = resp.json()
        if not isinstance(certs, dict) or not all(isinstance(v, str) for v in certs.values()):
            raise ValueError("not a key id -> certificate map")
    except (requests.RequestException, ValueError):
        raise ApiError(
            503, "auth_unavailable", "cannot fetch the token signing keys; try again"
        ) from None
    ttl = _max_age(resp.headers.get("Cache-Control", "")) or CERTS_TTL_SECONDS
    with _certs_lock:
        _certs_cache[url] = (now + ttl, certs)
    return certs


def verify_service(token: str, *, audience: str) -> Identity:
    import jwt as pyjwt
    from google.auth import exceptions, jwt

    url = settings().service_token_certs_url
    try:
        kid = pyjwt.get_unverified_header(token).get("kid")
    except pyjwt.InvalidTokenError:
        raise _bad("bad_token", "invalid service-account ID token") from None
    certs = _certs(url)
    if kid not in certs:  # keys rotate: one refresh before refusing
        certs = _certs(url, refresh=True)
    try:
        claims = jwt.decode(
            token,
            certs=certs,
            audience=audience,
            clock_skew_in_seconds=settings().jwt_leeway_seconds,
        )
    except (ValueError, exceptions.GoogleAuthError) as exc:
        reason = _reason(exc)
        if reason == "expired":
            raise _bad("token_expired", "the service-account ID token has expired") from None
        raise _bad("bad_token", f"invalid service-account ID token: {reason}") from None
    if claims.get("iss") not in SERVICE_ISSUERS:
        raise _bad("bad_token", "the service-account ID token was not issued by Google")
    email = claims.get("email")
    if not isinstance(email, str) or not email:
        raise _bad(
            "no_email",
            "the service-account ID token carries no email (request it with the email included)",
            403,
        )
    return Identity(
        kind="service",
        email=email,
        email_verified=claims.get("email_verified") is True,
        subject=str(claims.get("sub")),
    )
