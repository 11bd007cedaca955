"""A small Zendesk REST client: base URL and API-token auth from settings, one pooled
session per instance, and every failure classified with core.crm.errors.

Kept deliberately thin so the recordings adapter can fold it into its own client. Every
request first spends one call of the shared CRM budget (core.crm.budget) in its lane.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from core.caches import on_reset
from core.crm import budget
from core.crm.errors import Permanent, RateLimited, Transient
from core.settings import settings

TIMEOUT = (3.05, 15.0)  # connect, read
_lock = threading.Lock()


@functools.cache
def _session() -> Any:
    from core import streaming  # lazy: only functions that talk to the CRM pay for it

    s = settings()
    sess = streaming.session()  # recording parts are streamed bodies
    sess.auth = (f"{s.zendesk_email}/token", s.zendesk_api_token.get_secret_value())
    sess.headers["Accept"] = "application/json"
    return sess


@on_reset
def reset() -> None:
    with _lock:
        _session.cache_clear()


def call(
    method: str,
    path: str,
    *,
    json: dict[str, Any] | None = None,
    params: dict[str, str] | None = None,
    lane: budget.Lane = budget.GENERAL,
) -> dict[str, Any]:
    """One request; returns the JSON body or raises RateLimited / Transient / Permanent."""
    import requests

    budget.spend(lane)
    url = settings().zendesk_base_url.rstrip("/") + path
    try:
        resp = _session().request(method, url, json=json, params=params, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise Transient(f"{method} {path}: {exc.__class__.__name__}") from None
    return _classified(resp, method, path)


def send(
    method: str,
    path: str,
    *,
    data: Any = None,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    timeout: tuple[float, float] = TIMEOUT,
    lane: budget.Lane = budget.GENERAL,
) -> dict[str, Any]:
    """Like `call`, for a raw (e.g. streamed binary) body: uploads of recording parts."""
    import requests

    budget.spend(lane)
    url = settings().zendesk_base_url.rstrip("/") + path
    try:
        resp = _session().request(
            method, url, data=data, headers=headers, params=params, timeout=timeout
        )
    except requests.RequestException as exc:
        raise Transient(f"{method} {path}: {exc.__class__.__name__}") from None
    return _classified(resp, method, path)


def _classified(resp: Any, method: str, path: str) -> dict[str, Any]:
    from core.crm.errors import TooLarge

    if resp.status_code == 429:
        raise RateLimited.from_response(resp, f"{method} {path}: rate limited")
    if resp.status_code >= 500:
        raise Transient(f"{method} {path}: HTTP {resp.status_code}")
    if resp.status_code == 413:
        raise TooLarge(413, f"{method} {path}: too large")
    if resp.status_code >= 400:
        raise Permanent(resp.status_code, f"{method} {path}: {resp.text[:300]}")
    try:
        body = resp.json() if resp.content else {}
    except ValueError:
        raise Transient(f"{method} {path}: answer is not JSON") from None
    return body if isinstance(body, dict) else {}
