"""One signing scheme for every HMAC we hand out or check (task bodies, short-lived media
URLs, URL tokens).

Keys: a key of its own per purpose, HMAC-SHA256(root, "cc-signing:v1:" + purpose), so a key
leaked from one use never signs for another. The root is the deployment's COMPANY_SECRET
unless the caller passes the secret its function is given instead (least privilege: the
recordings function holds RECORDINGS_URL_SECRET, the notification functions the portal
secret, and neither is handed the company secret just to sign URLs).

Checks compare bytes in constant time. Whatever arrives (missing, non-ASCII, not hex, wrong
length, an `exp` that is not a number) ends as a typed `SignatureError`, which callers map
to a 4xx JSON answer: never a TypeError from `hmac.compare_digest` on odd text.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

from pydantic import SecretStr

_HEX = re.compile(rb"[0-9a-f]{64}")
_PREFIX = b"cc-signing:v1:"
# The root secret a key is derived from: a settings SecretStr, or None for COMPANY_SECRET.
Root = str | bytes | SecretStr | None


class SignatureError(Exception):
    """A signature could not be accepted; `reason` says why, `field` names the input."""

    reason = "invalid"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Malformed(SignatureError):
    """Missing, non-ASCII, or not shaped like one of our signatures / expiries."""

    reason = "malformed"


class Mismatch(SignatureError):
    """Well formed but not ours (tampered, other key, other purpose)."""

    reason = "mismatch"


class Expired(SignatureError):
    """Ours, but past its expiry."""

    reason = "expired"


def derive_key(purpose: str, root: Root = None) -> bytes:
    """The key for one purpose, derived from the deployment's root secret."""
    if root is None:
        from core.settings import settings

        root = settings().company_secret
    if isinstance(root, SecretStr):
        root = root.get_secret_value()
    raw = root.encode() if isinstance(root, str) else root
    return hmac.new(raw, _PREFIX + purpose.encode(), hashlib.sha256).digest()


def sign(purpose: str, message: bytes, root: Root = None) -> str:
    """Hex HMAC-SHA256 of message under the purpose's key."""
    return hmac.new(derive_key(purpose, root), message, hashlib.sha256).hexdigest()


def _ascii(value: str | bytes | None, field: str) -> bytes:
    if value is None or value == "" or value == b"":
        raise Malformed(field, f"{field} is missing")
    if isinstance(value, bytes):
        return value
    try:
        return value.encode("ascii")
    except UnicodeEncodeError:
        raise Malformed(field, f"{field} is not ASCII") from None


def verify(
    purpose: str,
    message: bytes,
    signature: str | bytes | None,
    field: str = "sig",
    root: Root = None,
) -> None:
    """Raise Malformed / Mismatch unless signature is sign(purpose, message)."""
    given = _ascii(signature, field).strip().lower()
    if not _HEX.fullmatch(given):
        raise Malformed(field, f"{field} is not a signature")
    if not hmac.compare_digest(given, sign(purpose, message, root).encode("ascii")):
        raise Mismatch(field, f"{field} does not match")


def parse_exp(value: str | bytes | None, field: str = "exp") -> int:
    """An expiry in epoch seconds as it came in a query string."""
    raw = _ascii(value, field)
    if not raw.isdigit() or len(raw) > 12:
        raise Malformed(field, f"{field}: must be an epoch second")
    return int(raw)


def sign_expiring(purpose: str, subject: str, exp: int, root: Root = None) -> str:
    """Signature binding a subject (an object name, a recording sid) to an expiry."""
    return sign(purpose, f"{subject}\n{exp}".encode(), root)


def url_params(
    purpose: str,
    subject: str,
    ttl: float,
    now: float | None = None,
    root: Root = None,
) -> tuple[int, str]:
    """(exp, sig) for a URL that grants `subject` until now + ttl."""
    exp = int((time.time() if now is None else now) + ttl)
    return exp, sign_expiring(purpose, subject, exp, root)


def verify_expiring(
    purpose: str,
    subject: str,
    exp: str | bytes | None,
    sig: str | bytes | None,
    now: float | None = None,
    root: Root = None,
) -> int:
    """Check a URL's (exp, sig) for subject; returns exp. Signature before expiry, so a
    forger learns nothing from the expiry answer."""
    when = parse_exp(exp)
    verify(purpose, f"{subject}\n{when}".encode(), sig, "sig", root)
    if when < (time.time() if now is None else now):
        raise Expired("exp", "this URL has expired")
    return when
