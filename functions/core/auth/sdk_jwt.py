"""Mobile / web SDK callers: end-user JWT, HS256, signed with the company secret.

The company's backend signs several kinds of token with that one secret: the end-user
token (documented claims: identifier, name, email, phone, iat, exp), signed custom data
(attribute entries `{label, value, type}`, optional identifier), and SmartActions
verification results. None of the documented formats carries a type, so `kind_of` reads the
kind from the shape (an optional `purpose` claim says it outright), and every slot refuses a
token of another kind: custom data never logs anyone in, an end-user token is not data.
"""

from __future__ import annotations

import re
import time
from typing import Any

import flask
import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.errors import ApiError, from_validation
from core.settings import settings

MAX_TOKEN_LIFETIME = 24 * 3600  # a token valid for longer than this is refused
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")

# Token kinds (values of the optional `purpose` claim).
END_USER = "end_user"
CUSTOM_DATA = "custom_data"
VERIFICATION = "smartactions_verification"
PURPOSES = frozenset({END_USER, CUSTOM_DATA, VERIFICATION})
_DESCRIBED = {
    END_USER: "an end-user token",
    CUSTOM_DATA: "signed custom data",
    VERIFICATION: "a SmartActions verification result",
}
# Registered JWT claims: never a custom-data entry.
_REGISTERED = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "purpose"})


class EndUser(BaseModel):
    model_config = ConfigDict(extra="allow")

    identifier: str = Field(min_length=1, max_length=256)
    name: str | None = Field(None, max_length=256)
    email: str | None = Field(None, max_length=320)
    phone: str | None = None
    iat: int
    exp: int
    # True for a visitor token (no signed-in user): identifier is its temporary id.
    anonymous: bool = False

    @field_validator("phone")
    @classmethod
    def _e164(cls, v: str | None) -> str | None:
        if v is not None and not _E164.match(v):
            raise ValueError("must be E.164, e.g. +14155550100")
        return v


def kind_of(claims: dict[str, Any]) -> str:
    """What a company-signed token is for: its `purpose`, else read from its shape.

    Custom data is the only kind with attribute entries (an object-valued claim outside
    the registered ones, or a `reserved_*` claim); without them it is an end-user token.
    """
    purpose = claims.get("purpose")
    if purpose is not None:
        return purpose if isinstance(purpose, str) and purpose in PURPOSES else "unknown"
    for name, value in claims.items():
        if name in _REGISTERED:
            continue
        if name.startswith("reserved_") or isinstance(value, dict):
            return CUSTOM_DATA
    return END_USER


def describe(kind: str) -> str:
    return _DESCRIBED.get(kind, "a token of an unknown purpose")


def require_kind(claims: dict[str, Any], expected: str, *, field: str = "Authorization") -> None:
    """Refuse a token signed for another role (401 wrong_token_kind, naming the field)."""
    got = kind_of(claims)
    if got != expected:
        raise ApiError(
            401,
            "wrong_token_kind",
            f"{field}: this is {describe(got)}, not {describe(expected)}",
            field=field,
        )


def decode(
    token: str,
    *,
    secret: str | None = None,
    field: str = "Authorization",
    what: str = "end-user token",
    max_lifetime: int = MAX_TOKEN_LIFETIME,
) -> dict[str, Any]:
    """Verify signature, algorithm, iat/exp with bounded skew and lifetime; the claims."""
    s = settings()
    try:
        claims = jwt.decode(
            token,
            secret or s.company_secret.get_secret_value(),
            algorithms=["HS256"],
            options={"require": ["iat", "exp"]},
            leeway=s.jwt_leeway_seconds,
        )
        iat, exp = int(claims["iat"]), int(claims["exp"])
    except jwt.ExpiredSignatureError:
        raise ApiError(401, "token_expired", f"the {what} has expired", field=field) from None
    except jwt.ImmatureSignatureError:
        raise ApiError(
            401, "token_not_yet_valid", f"the {what}'s iat is in the future", field=field
        ) from None
    except jwt.InvalidTokenError as exc:
        raise ApiError(401, "bad_token", f"invalid {what}: {exc}", field=field) from None
    except (TypeError, ValueError, OverflowError):
        raise ApiError(401, "bad_token", f"invalid {what}: iat / exp", field=field) from None
    if exp - iat > max_lifetime:
        raise ApiError(
            401, "bad_token", f"{what} lifetime exceeds {max_lifetime} seconds", field=field
        )
    if iat > time.time() + s.jwt_leeway_seconds:
        raise ApiError(
            401, "token_not_yet_valid", f"the {what}'s iat is in the future", field=field
        )
    return claims


def bearer(request: flask.Request) -> str:
    auth = request.headers.get("Authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "unauthorized",
            "send Authorization: Bearer <end-user JWT>",
            field="Authorization",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


def verify_end_user(request: flask.Request, *, allow_visitor: bool = True) -> EndUser:
    """The caller: an end-user JWT, or (unless refused) a visitor token of ours."""
    token = bearer(request)
    from core.auth import visitor_token

    if visitor_token.is_visitor_token(token):
        if not allow_visitor:
            raise ApiError(
                401, "sign_in_required", "this needs a signed-in end user", field="Authorization"
            )
        v = visitor_token.verify(token)
        return EndUser(
            identifier=v.id,
            iat=v.iat,
            exp=v.exp,
            anonymous=True,
            channel=v.channel,
            device_id=v.device_id,
        )
    claims = decode(token)
    require_kind(claims, END_USER)  # signed custom data or a verification never logs in
    claims.pop("anonymous", None)  # only our visitor tokens make an anonymous caller
    try:
        return EndUser.model_validate(claims)
    except ValidationError as exc:
        raise from_validation(exc, prefix="token") from None


def issue(identifier: str, ttl: int = 3600, **extra: Any) -> str:
    """Sign a token as a company backend would (demo, tests, bench)."""
    now = int(time.time())
    claims = {"identifier": identifier, "iat": now, "exp": now + ttl, **extra}
    return jwt.encode(claims, settings().company_secret.get_secret_value(), algorithm="HS256")
