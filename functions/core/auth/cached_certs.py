"""A google-auth transport that keeps fetched certificates for a few minutes.

google-auth's `id_token.verify_token` fetches the signing certificates on every call; with
this transport a warm instance verifies a token without a round trip. Shared by the
Pub/Sub / Cloud Tasks check (core/push.py) and people's ID tokens (core/auth/id_tokens.py).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from core.caches import on_reset

CERTS_TTL_SECONDS = 300.0

if TYPE_CHECKING:
    from google.auth.transport import Request as _Transport
else:  # google-auth is imported on first use (cold start); it only ever calls the object
    _Transport = object


class CachingRequest(_Transport):
    """google-auth transport that keeps fetched certificates for a few minutes, so a
    verification costs no round trip once an instance is warm."""

    def __init__(self) -> None:
        from google.auth.transport.requests import Request

        self._inner = Request()
        self._cache: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        timeout: Any = None,
        **kwargs: Any,
    ) -> Any:
        kwargs.update(body=body, headers=headers)
        if timeout is not None:  # else the inner transport's own default applies
            kwargs["timeout"] = timeout
        if method != "GET":
            return self._inner(url, method=method, **kwargs)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(url)
        if hit and hit[0] > now:
            return hit[1]
        resp = self._inner(url, method=method, **kwargs)
        if resp.status == 200:
            with self._lock:
                self._cache[url] = (now + CERTS_TTL_SECONDS, resp)
        return resp


_transport: CachingRequest | None = None


@on_reset
def _forget_certs() -> None:
    global _transport
    _transport = None


def request() -> CachingRequest:
    global _transport
    if _transport is None:
        _transport = CachingRequest()
    return _transport
