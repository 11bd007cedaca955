"""SDK signed custom data: a JWT (HS256, company secret) the app's backend signs and the
SDK passes at session start. Reserved entries become profile flags:

    {"reserved_verified_customer": {"label": "Verified", "value": true, "type": "boolean"},
     "reserved_bad_actor": {...}, "reserved_repeat_customer": {...},
     "plan": {"label": "Plan", "value": "gold", "type": "string"},   # kept as custom data
     "identifier": "user-42",   # the end user it is for (required for a signed-in user)
     "iat": ..., "exp": ...}    # exp - iat at most CUSTOM_DATA_MAX_LIFETIME_SECONDS

Custom data is bound to the session's end user: a signed-in user's data must name them
(`identifier`), so a copied token flags nobody else's session; an anonymous visitor's may
omit it (the company backend may not know the temporary id) and then only lives minutes.
It must carry at least one entry: a token without entries is an end-user token, and one
with entries never logs anyone in (core.auth.sdk_jwt.kind_of).

`parse` never raises anything but InvalidCustomData (fuzzed in the tests).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from core.auth import sdk_jwt
from core.errors import ApiError
from core.settings import settings

RESERVED = {
    "reserved_verified_customer": "verified_customer",
    "reserved_bad_actor": "bad_actor",
    "reserved_repeat_customer": "repeat_customer",
}
MAX_TOKEN_BYTES = 16_384
MAX_ENTRIES = 50
VALUE_TYPES: dict[str, type | tuple[type, ...]] = {
    "boolean": bool,
    "string": str,
    "number": (int, float),
}
CLAIMS = {"iat", "exp", "nbf", "identifier", "iss", "jti", "purpose"}
FIELD = "custom_data"


class InvalidCustomData(ApiError):
    """The custom data is unsigned, expired, or not in the documented shape."""

    def __init__(self, where: str, problem: str, status: int = 400) -> None:
        name = FIELD + (f".{where}" if where else "")
        super().__init__(
            status,
            "invalid_custom_data" if status == 400 else "bad_custom_data",
            f"{name}: {problem}",
            field=name,
            errors=[{"field": name, "problem": problem}],
        )


@dataclass(frozen=True)
class CustomData:
    flags: dict[str, bool]
    entries: dict[str, dict[str, Any]]  # non-reserved entries, validated
    identifier: str | None
    digest: str  # of the token: the replay key
    labels: dict[str, str] = field(default_factory=dict)


def _decode(token: str) -> dict[str, Any]:
    import jwt

    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_BYTES:
        raise InvalidCustomData("", f"must be a signed JWT of at most {MAX_TOKEN_BYTES} bytes")
    s = settings()
    try:
        claims = jwt.decode(
            token,
            s.company_secret.get_secret_value(),
            algorithms=["HS256"],
            options={"require": ["iat", "exp"]},
            leeway=s.jwt_leeway_seconds,
        )
    except jwt.ExpiredSignatureError:
        raise InvalidCustomData("exp", "the signed custom data has expired", 401) from None
    except jwt.ImmatureSignatureError:
        raise InvalidCustomData("iat", "issued in the future", 401) from None
    except jwt.InvalidTokenError as exc:
        raise InvalidCustomData(
            "", f"not a valid signed JWT ({exc.__class__.__name__})", 401
        ) from None
    except Exception:  # noqa: BLE001 - hostile bytes may trip the decoder in odd ways
        raise InvalidCustomData("", "not a valid signed JWT", 401) from None
    if not isinstance(claims, dict):
        raise InvalidCustomData("", "the payload must be a JSON object")
    iat, exp = claims.get("iat"), claims.get("exp")
    if (
        not isinstance(iat, int | float)
        or not isinstance(exp, int | float)
        or isinstance(iat, bool)
        or isinstance(exp, bool)
    ):
        raise InvalidCustomData("iat", "iat and exp must be numbers")
    cap = s.custom_data_max_lifetime_seconds
    if exp - iat > cap:
        raise InvalidCustomData("exp", f"lifetime exceeds {cap} seconds (exp - iat)", 401)
    if iat > time.time() + s.jwt_leeway_seconds:
        raise InvalidCustomData("iat", "issued in the future", 401)
    kind = sdk_jwt.kind_of(claims)
    if kind != sdk_jwt.CUSTOM_DATA:
        raise InvalidCustomData(
            "", f"this is {sdk_jwt.describe(kind)}, not signed custom data (no entries)", 401
        )
    return claims


def _entry(name: str, raw: Any, reserved: bool) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidCustomData(name, "must be an object {label, value, type}")
    unknown = set(raw) - {"label", "value", "type"}
    if unknown:
        raise InvalidCustomData(f"{name}.{sorted(map(str, unknown))[0]}", "unknown field")
    label, value, typ = raw.get("label"), raw.get("value"), raw.get("type")
    if label is not None and (not isinstance(label, str) or len(label) > 100):
        raise InvalidCustomData(f"{name}.label", "must be a string of at most 100 characters")
    if reserved and typ != "boolean":
        raise InvalidCustomData(f"{name}.type", 'must be "boolean"')
    if typ not in VALUE_TYPES:
        raise InvalidCustomData(f"{name}.type", f"must be one of {sorted(VALUE_TYPES)}")
    expected = VALUE_TYPES[typ]
    ok = isinstance(value, expected) and (typ == "boolean" or not isinstance(value, bool))
    if not ok:
        raise InvalidCustomData(f"{name}.value", f"must be a {typ}")
    if typ == "string" and isinstance(value, str) and len(value) > 1000:
        raise InvalidCustomData(f"{name}.value", "at most 1000 characters")
    if typ == "number" and isinstance(value, float) and value != value:  # NaN
        raise InvalidCustomData(f"{name}.value", "must be a finite number")
    return {"label": label, "value": value, "type": typ}


def parse(token: Any, for_identifier: str | None = None, *, signed_in: bool = False) -> CustomData:
    """Verify and validate; with `for_identifier`, data bound to another user is refused,
    and for a `signed_in` end user data bound to nobody is refused too."""
    claims = _decode(token)
    flags: dict[str, bool] = {}
    labels: dict[str, str] = {}
    entries: dict[str, dict[str, Any]] = {}
    data = {k: v for k, v in claims.items() if k not in CLAIMS}
    if len(data) > MAX_ENTRIES:
        raise InvalidCustomData("", f"at most {MAX_ENTRIES} entries")
    for name in sorted(data, key=str):
        if not isinstance(name, str) or not name or len(name) > 64:
            raise InvalidCustomData("", "entry names are 1-64 characters")
        if name.startswith("reserved_") and name not in RESERVED:
            raise InvalidCustomData(name, "unknown reserved attribute")
        e = _entry(name, data[name], name in RESERVED)
        if name in RESERVED:
            flags[RESERVED[name]] = bool(e["value"])
            if e["label"]:
                labels[RESERVED[name]] = e["label"]
        else:
            entries[name] = e
    ident = claims.get("identifier")
    if ident is not None and (not isinstance(ident, str) or not 0 < len(ident) <= 256):
        raise InvalidCustomData("identifier", "must be a string of 1-256 characters")
    if for_identifier is not None:
        _check_binding(ident, for_identifier, signed_in)
    digest = hashlib.sha256(token.encode()).hexdigest()[:32]
    return CustomData(flags, entries, ident, digest, labels)


def _check_binding(ident: str | None, owner: str | None, signed_in: bool) -> None:
    if ident is None:
        if signed_in:
            # Unbound data could be replayed into any signed-in user's session.
            raise InvalidCustomData(
                "identifier", "required: the signed-in end user the data is for", 403
            )
        return
    if ident != owner:
        # Data signed for someone else must not flag this session (e.g. a copied token).
        raise InvalidCustomData("identifier", "signed for another end user", 403)


def ingest_custom_data(session_id: str, token: str | CustomData) -> dict[str, Any]:
    """Apply signed custom data to a session: reserved entries -> flags, the rest kept."""
    from attributes import flags
    from core.errors import not_found
    from core.sessions import store

    doc = store.get(session_id)
    if doc is None:
        raise not_found("session")
    end_user = doc.get("end_user") or {}
    owner = end_user.get("id")
    signed_in = owner is not None and not end_user.get("anonymous", False)
    data = token if isinstance(token, CustomData) else parse(token)
    _check_binding(data.identifier, owner, signed_in)
    attrs = {"sdk_custom_data": data.entries} if data.entries else None
    new, _ = flags.apply(
        session_id,
        data.flags,
        source="sdk_custom_data",
        key=f"custom_data:{data.digest}",
        attributes=attrs,
        detail={"labels": data.labels} if data.labels else None,
    )
    return new
