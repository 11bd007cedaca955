"""Verification results the company backend vouches for ("get verified").

The biometric / PIN check runs on the device, so the end user's app could claim anything.
The app's backend, which trusts its own link with the device, signs the outcome as a
short-lived JWT with the company secret (HS256), and the SDK posts that token:

    {"purpose": "smartactions_verification",     # never an end-user token or custom data
     "session_id": "CH...", "request_id": "SA...", # bound to one request of one session
     "result": {"method": "biometric" | "pin", "success": true | false},
     "jti": "<unique id>",                          # single use
     "identifier": "user-42",                       # optional: must be the session's end user
     "iat": ..., "exp": ...}                        # exp - iat at most a few minutes

The jti is recorded (collection `smartactions_verifications`, document id = its digest,
`expire_at` for the TTL policy) in the same transaction that fulfils the request, so a token
is used at most once. The agent sees `verified_by: "company_backend"` only for such results.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core import clients
from core.auth import sdk_jwt
from core.errors import ApiError, from_validation
from core.settings import settings
from smartactions.config import sa_settings

FIELD = "verification"
COLLECTION = "smartactions_verifications"
COMPANY_BACKEND = "company_backend"
NOT_VERIFIED = "not_verified"


class Result(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal["biometric", "pin"]
    success: bool


class Claims(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: Literal["smartactions_verification"]
    session_id: str = Field(min_length=1, max_length=128)
    request_id: str = Field(min_length=1, max_length=128)
    result: Result
    jti: str = Field(min_length=8, max_length=256)
    identifier: str | None = Field(None, min_length=1, max_length=256)
    iat: int
    exp: int
    nbf: int | None = None
    iss: str | None = Field(None, max_length=256)


@dataclass(frozen=True)
class Verified:
    method: str
    success: bool
    jti: str
    expires_at: int

    def stored(self, now: float) -> dict[str, Any]:
        """What the request keeps as its result (the token itself is not kept)."""
        return {
            "method": self.method,
            "success": self.success,
            "verified_by": COMPANY_BACKEND,
            "verified_at": now,
        }


def _refuse(problem: str, code: str = "bad_verification", status: int = 401) -> ApiError:
    return ApiError(
        status,
        code,
        f"{FIELD}: {problem}",
        field=FIELD,
        errors=[{"field": FIELD, "problem": problem}],
    )


def verify(token: str, *, session_id: str, request_id: str, end_user: dict[str, Any]) -> Verified:
    """The result, if the company backend signed it for this request of this session."""
    claims = sdk_jwt.decode(
        token,
        field=FIELD,
        what="verification token",
        max_lifetime=sa_settings().verification_token_max_lifetime_seconds,
    )
    sdk_jwt.require_kind(claims, sdk_jwt.VERIFICATION, field=FIELD)
    try:
        c = Claims.model_validate(claims)
    except ValidationError as exc:
        raise from_validation(exc, prefix=FIELD) from None
    if c.session_id != session_id or c.request_id != request_id:
        raise _refuse("signed for another request or session", "verification_mismatch", 403)
    if c.identifier is not None and c.identifier != (end_user or {}).get("id"):
        raise _refuse("signed for another end user", "verification_mismatch", 403)
    return Verified(c.result.method, c.result.success, c.jti, c.exp)


def jti_ref(jti: str) -> Any:
    digest = hashlib.sha256(jti.encode()).hexdigest()
    return clients.firestore().collection(COLLECTION).document(digest)


def record_use(txn: Any, v: Verified, session_id: str, request_id: str, now: float) -> None:
    """Inside the fulfilling transaction: create-only, so a second use fails the commit."""
    txn.create(
        jti_ref(v.jti),
        {
            "session_id": session_id,
            "request_id": request_id,
            "used_at": now,
            # TTL policy field: kept until the token could no longer be accepted anyway.
            "expire_at": _as_datetime(v.expires_at + settings().jwt_leeway_seconds),
        },
    )


def reused() -> ApiError:
    return _refuse("this verification token was already used", "verification_reused", 409)


def verified_by(req: dict[str, Any]) -> str:
    """Who vouches for a verification request's result, as the agent is shown it."""
    result = (req.get("result") or {}).get("verification") or {}
    return COMPANY_BACKEND if result.get("verified_by") == COMPANY_BACKEND else NOT_VERIFIED


def _as_datetime(epoch: float) -> Any:
    import datetime as dt

    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def issue(
    session_id: str,
    request_id: str,
    *,
    method: str = "biometric",
    success: bool = True,
    ttl: int = 120,
    secret: str | None = None,
    **extra: Any,
) -> str:
    """Sign a result as a company backend would (demo, tests, bench)."""
    now = int(time.time())
    claims = {
        "purpose": sdk_jwt.VERIFICATION,
        "session_id": session_id,
        "request_id": request_id,
        "result": {"method": method, "success": success},
        "jti": secrets.token_urlsafe(16),
        "iat": now,
        "exp": now + ttl,
        **extra,
    }
    return jwt.encode(
        claims, secret or settings().company_secret.get_secret_value(), algorithm="HS256"
    )
