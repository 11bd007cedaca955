"""A small Salesforce REST client: OAuth client-credentials token (cached per instance,
refreshed once on 401), API version pinned, failures classified with core.crm.errors
(403 REQUEST_LIMIT_EXCEEDED is Salesforce's API limit)."""

from __future__ import annotations

import functools
import threading
from typing import Any

from core.caches import on_reset
from core.crm import budget
from core.crm.errors import Permanent, RateLimited, TooLarge, Transient
from core.settings import settings

API_VERSION = "v60.0"
TIMEOUT = (3.05, 60.0)
_lock = threading.Lock()
_token: dict[str, str] = {}


@functools.cache
def _session() -> Any:
    import requests

    return requests.Session()


@on_reset
def reset() -> None:
    with _lock:
        _token.clear()
        _session.cache_clear()


def _login() -> dict[str, str]:
    import requests

    s = settings()
    try:
        resp = _session().post(
            f"{s.salesforce_base_url.rstrip('/')}/services/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": s.salesforce_client_id,
                "client_secret": s.salesforce_client_secret.get_secret_value(),
            },
            timeout=TIMEOUT,
        )
    except requests.RequestException as exc:
        raise Transient(f"oauth: {exc.__class__.__name__}") from None
    if resp.status_code >= 500:
        raise Transient(f"oauth: HTTP {resp.status_code}")
    if resp.status_code == 429:
        raise RateLimited(_retry_after(resp), "oauth: rate limited")
    if resp.status_code >= 400:
        raise Permanent(resp.status_code, f"oauth: {resp.text[:300]}")
    body = resp.json()
    return {
        "token": body["access_token"],
        "instance": body.get("instance_url") or s.salesforce_base_url,
    }


def _auth(refresh: bool = False) -> dict[str, str]:
    with _lock:
        if refresh or not _token:
            _token.clear()
            _token.update(_login())
        return dict(_token)


def _retry_after(resp: Any) -> float | None:
    raw = resp.headers.get("Retry-After")
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except ValueError:
        return None


def request(
    method: str,
    path: str,
    *,
    data: Any = None,
    json: Any = None,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    timeout: tuple[float, float] = TIMEOUT,
    lane: budget.Lane = budget.GENERAL,
) -> dict[str, Any]:
    """One call under /services/data/<version>/; returns the JSON body or raises. It
    spends one call of the shared CRM budget (core.crm.budget) in its lane first."""
    import requests

    budget.spend(lane)
    for attempt in (0, 1):
        auth = _auth(refresh=attempt == 1)
        url = f"{auth['instance'].rstrip('/')}/services/data/{API_VERSION}/{path.lstrip('/')}"
        try:
            resp = _session().request(
                method,
                url,
                data=data,
                json=json,
                params=params,
                headers={**(headers or {}), "Authorization": f"Bearer {auth['token']}"},
                timeout=timeout,
            )
        except requests.RequestException as exc:
            raise Transient(f"{method} {path}: {exc.__class__.__name__}") from None
        if resp.status_code == 401 and attempt == 0 and data is None:
            continue  # token expired: log in again once (a streamed body cannot be replayed)
        break
    text = resp.text[:300] if resp.status_code >= 400 else ""
    if resp.status_code == 429 or (resp.status_code == 403 and "REQUEST_LIMIT_EXCEEDED" in text):
        raise RateLimited(_retry_after(resp), f"{method} {path}: API limit")
    if resp.status_code >= 500:
        raise Transient(f"{method} {path}: HTTP {resp.status_code}")
    if resp.status_code == 401:
        reset()  # the next attempt logs in again
        raise Transient(f"{method} {path}: session expired")
    if resp.status_code == 413:
        raise TooLarge(413, f"{method} {path}: too large")
    if resp.status_code >= 400:
        raise Permanent(resp.status_code, f"{method} {path}: {text}")
    try:
        body = resp.json() if resp.content else {}
    except ValueError:
        raise Transient(f"{method} {path}: answer is not JSON") from None
    return body if isinstance(body, dict) else {"items": body}


def soql_literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
