"""Mobile / web SDK callers: end-user JWT, HS256, signed with the company secret."""

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


def decode(token: str, *, secret: str | None = None) -> dict[str, Any]:
    """Verify signature, algorithm, iat/exp with bounded skew; return the claims."""
    s = settings()
    try:
        claims = jwt.decode(
            token,
            secret or s.company_secret,
            algorithms=["HS256"],
            options={"require": ["iat", "exp"]},
            leeway=s.jwt_leeway_seconds,
        )
    except jwt.ExpiredSignatureError:
        raise ApiError(
            401, "token_expired", "the end-user token has expired", field="Authorization"
        ) from None
    except jwt.ImmatureSignatureError:
        raise ApiError(
            401, "token_not_yet_valid", "the token's iat is in the future", field="Authorization"
        ) from None
    except jwt.InvalidTokenError as exc:
        raise ApiError(
            401, "bad_token", f"invalid end-user token: {exc}", field="Authorization"
        ) from None
    if int(claims["exp"]) - int(claims["iat"]) > MAX_TOKEN_LIFETIME:
        raise ApiError(401, "bad_token", "token lifetime exceeds 24 hours", field="Authorization")
    if int(claims["iat"]) > time.time() + s.jwt_leeway_seconds:
        raise ApiError(
            401, "token_not_yet_valid", "the token's iat is in the future", field="Authorization"
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
    claims.pop("anonymous", None)  # only our visitor tokens make an anonymous caller
    try:
        return EndUser.model_validate(claims)
    except ValidationError as exc:
        raise from_validation(exc, prefix="token") from None


def issue(identifier: str, ttl: int = 3600, **extra: Any) -> str:
    """Sign a token as a company backend would (demo, tests, bench)."""
    now = int(time.time())
    claims = {"identifier": identifier, "iat": now, "exp": now + ttl, **extra}
    return jwt.encode(claims, settings().company_secret, algorithm="HS256")
