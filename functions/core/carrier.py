"""The carrier's REST API (Twilio) through the official client, at a configurable base.

Production code only knows settings().twilio_api_base: api.twilio.com in the cloud, the
local stand-in on the emulator suite. The client is built once per instance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.caches import cached
from core.settings import settings

if TYPE_CHECKING:  # pragma: no cover
    from twilio.rest import Client

TWILIO_DEFAULT = "https://api.twilio.com"


def _http_client(base: str) -> Any:
    from twilio.http.http_client import TwilioHttpClient

    class BaseUrlHttpClient(TwilioHttpClient):
        """Rewrites https://api.twilio.com to our configured base URL."""

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            if url.startswith(TWILIO_DEFAULT):
                url = base + url[len(TWILIO_DEFAULT) :]
            return super().request(method, url, *args, **kwargs)

    return BaseUrlHttpClient(timeout=15)


@cached
def twilio() -> Client:
    from twilio.rest import Client

    s = settings()
    base = s.twilio_api_base.rstrip("/")
    http = None if base == TWILIO_DEFAULT else _http_client(base)
    return Client(s.twilio_account_sid, s.twilio_auth_token.get_secret_value(), http_client=http)


def api_url(path: str) -> str:
    """Absolute URL of an account resource, e.g. api_url('Recordings/RE...wav')."""
    s = settings()
    return f"{s.twilio_api_base.rstrip('/')}/2010-04-01/Accounts/{s.twilio_account_sid}/{path}"


def basic_auth() -> tuple[str, str]:
    s = settings()
    return s.twilio_account_sid, s.twilio_auth_token.get_secret_value()
