"""Visitor tokens: how an SDK that has no signed-in user presents itself.

We issue the token (POST /sdk/visitors); the SDK keeps it on the device (web: local
storage, mobile: keychain / keystore) and sends it as `Authorization: Bearer <token>`
in place of an end-user JWT. It carries a random temporary id (`sub`, "V" + 32 hex), the
channel and the SDK's device id. The id is random, never derived from the device id,
so knowing someone's device id or temporary id gets nobody their token: holding the
token is the proof of being that visitor (what a merge requires).

Signed HS256 with a key derived from the company secret, with its own `typ` header and
audience, so a visitor token is never accepted as an end-user token or the reverse.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from core.errors import ApiError
from core.settings import settings

TYP = "cc-visitor+jwt"
AUDIENCE = "cc-visitor"
LIFETIME = 180 * 24 * 3600  # refreshed whenever the SDK registers again
_VID = re.compile(r"^V[0-9a-f]{32}$")
_DEVICE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
CHANNELS = ("web", "mobile")


@dataclass(frozen=True)
class Visitor:
    id: str
    channel: str
    device_id: str
    iat: int
    exp: int


def _key() -> bytes:
    return hmac.new(
        settings().company_secret.get_secret_value().encode(), b"visitor-token-v1", hashlib.sha256
    ).digest()


def new_id() -> str:
    return "V" + secrets.token_hex(16)


def is_visitor_id(value: str) -> bool:
    """The shape of `new_id` (a temporary id, never a phone number or a company id)."""
    return len(value) == 33 and value[0] == "V" and all(c in "0123456789abcdef" for c in value[1:])


def issue(visitor_id: str, channel: str, device_id: str, ttl: int = LIFETIME) -> str:
    import jwt

    now = int(time.time())
    claims = {
        "sub": visitor_id,
        "aud": AUDIENCE,
        "ch": channel,
        "dev": device_id,
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, _key(), algorithm="HS256", headers={"typ": TYP})


def is_visitor_token(token: str) -> bool:
    """Cheap header peek (no trust): routes the token to the right verifier."""
    import jwt

    try:
        return jwt.get_unverified_header(token).get("typ") == TYP
    except jwt.InvalidTokenError:
        return False


def _bad(message: str, field: str) -> ApiError:
    return ApiError(401, "bad_visitor_token", message, field=field)


def verify(token: Any, field: str = "Authorization") -> Visitor:
    import jwt

    if not isinstance(token, str) or not token or len(token) > 4096:
        raise _bad("a visitor token is required", field)
    try:
        if jwt.get_unverified_header(token).get("typ") != TYP:
            raise _bad("not a visitor token", field)
        claims = jwt.decode(
            token,
            _key(),
            algorithms=["HS256"],
            audience=AUDIENCE,
            options={"require": ["sub", "iat", "exp", "aud"]},
            leeway=settings().jwt_leeway_seconds,
        )
    except jwt.ExpiredSignatureError:
        raise _bad("the visitor token has expired; register again", field) from None
    except jwt.InvalidTokenError as exc:
        raise _bad(f"invalid visitor token ({exc.__class__.__name__})", field) from None
    vid, ch, dev = claims.get("sub"), claims.get("ch"), claims.get("dev")
    if not (
        isinstance(vid, str)
        and _VID.match(vid)
        and ch in CHANNELS
        and isinstance(dev, str)
        and _DEVICE.match(dev)
    ):
        raise _bad("malformed visitor token", field)
    if int(claims["iat"]) > time.time() + settings().jwt_leeway_seconds:
        raise _bad("the visitor token's iat is in the future", field)
    return Visitor(vid, ch, dev, int(claims["iat"]), int(claims["exp"]))


def valid_device_id(device_id: str) -> bool:
    return bool(_DEVICE.match(device_id))
