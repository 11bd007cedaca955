"""Who signed in, from a Google-issued ID token.

- People: Identity Platform ID tokens (email / password, Google, SAML / OIDC providers),
  verified by google-auth: signature (Google's securetoken certificates,
  PERSON_TOKEN_CERTS_URL), issuer and audience (this project), expiry; and on request an
  Identity Toolkit `accounts:lookup` (IDENTITY_TOOLKIT_URL, with the function's own
  credentials) refuses a revoked sign-in or a disabled account. The cloud-shaped suite
  points both URLs at its IAM stand-in, so the cloud's code runs there unchanged.
  The Auth emulator's tokens are unsigned (alg "none"): only on the local suite, with
  FIREBASE_AUTH_EMULATOR_HOST set and no K_SERVICE, does firebase-admin take those (the
  cloud refuses to start with that variable set, core.settings).
- Automation (CI, the config CLI): Google service-account ID tokens, verified by
  google-auth against Google's certificates (SERVICE_TOKEN_CERTS_URL), with an audience.

Both libraries are imported on first use: a cold start that serves no portal request
never pays for them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
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
    import jwt as pyjwt

    from core.settings import in_cloud

    try:
        alg = pyjwt.get_unverified_header(token).get("alg")
    except pyjwt.InvalidTokenError:
        raise _bad("bad_token", "invalid ID token: malformed") from None
    if alg == "none" and settings().firebase_auth_emulator_host and not in_cloud():
        return _verify_emulator_person(token, check_revoked=check_revoked)
    return _verify_signed_person(token, check_revoked=check_revoked)


def _verify_signed_person(token: str, *, check_revoked: bool) -> Identity:
    """An Identity Platform ID token signed by Google (or the suite's stand-in for it)."""
    from google.auth import exceptions
    from google.oauth2 import id_token

    from core.auth.cached_certs import request

    s = settings()
    try:
        claims = id_token.verify_token(
            token,
            request(),
            audience=s.google_cloud_project,
            certs_url=s.person_token_certs_url,
            clock_skew_in_seconds=max(0, s.jwt_leeway_seconds),
        )
    except exceptions.TransportError:
        raise ApiError(
            503, "auth_unavailable", "cannot fetch the token signing keys; try again"
        ) from None
    except (ValueError, exceptions.GoogleAuthError) as exc:
        reason = _reason(exc)
        if reason == "expired":
            raise _bad("token_expired", "the ID token has expired; sign in again") from None
        raise _bad("bad_token", f"invalid ID token: {reason}") from None
    if claims.get("iss") != person_issuer():
        raise _bad("bad_token", "invalid ID token: issued by another issuer")
    uid = claims.get("sub")
    if not isinstance(uid, str) or not uid or len(uid) > 128:
        raise _bad("bad_token", "invalid ID token: malformed")
    auth_time = claims.get("auth_time")
    if not isinstance(auth_time, int) or auth_time > time.time() + s.jwt_leeway_seconds:
        raise _bad("bad_token", "invalid ID token: issued in the future")
    if check_revoked:
        _check_account(uid, auth_time)
    return _person(claims)


def _person(claims: Mapping[str, Any]) -> Identity:
    firebase = claims.get("firebase") or {}
    email = claims.get("email")
    if not isinstance(email, str) or not email:
        raise _bad("no_email", "the signed-in account has no email", 403)
    factor = firebase.get("sign_in_second_factor") if isinstance(firebase, dict) else None
    return Identity(
        kind="person",
        email=email,
        email_verified=claims.get("email_verified") is True,
        subject=str(claims.get("uid") or claims.get("sub")),
        second_factor=factor if isinstance(factor, str) and factor else None,
    )


_adc_lock = threading.Lock()
_adc: Any = None


def _session() -> Any:
    """An authorized session with the function's own credentials (the runtime service
    account, from the metadata server), made once per instance."""
    global _adc
    import google.auth
    from google.auth.transport.requests import AuthorizedSession

    with _adc_lock:
        if _adc is None:
            creds, _ = google.auth.default(
                scopes=["https://www.googleapis.com/auth/cloud-platform"]
            )
            _adc = AuthorizedSession(creds)
        return _adc


def _check_account(uid: str, auth_time: int) -> None:
    """Identity Toolkit `accounts:lookup`: refuse a disabled account or a sign-in older
    than the account's validSince (revoked), as firebase-admin's check_revoked does."""
    import requests
    from google.auth import exceptions

    s = settings()
    url = (
        f"{s.identity_toolkit_url.rstrip('/')}/v1/projects/{s.google_cloud_project}/accounts:lookup"
    )
    try:
        resp = _session().post(url, json={"localId": [uid]}, timeout=10)
        resp.raise_for_status()
        users = resp.json().get("users") or []
    except (requests.RequestException, exceptions.GoogleAuthError, ValueError, AttributeError):
        raise ApiError(
            503, "auth_unavailable", "cannot check the sign-in account; try again"
        ) from None
    user = next((u for u in users if isinstance(u, dict) and u.get("localId") == uid), None)
    if user is None:
        raise _bad("unknown_account", "this sign-in account no longer exists")
    if user.get("disabled") is True:
        raise _bad("user_disabled", "this sign-in account is disabled", 403)
    valid_since = str(user.get("validSince") or "0")
    if valid_since.isdigit() and auth_time < int(valid_since):
        raise _bad("token_revoked", "the ID token has been revoked; sign in again")


def _verify_emulator_person(token: str, *, check_revoked: bool) -> Identity:
    """The Auth emulator's unsigned tokens, through firebase-admin's emulator support."""
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
    return _person(claims)


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
