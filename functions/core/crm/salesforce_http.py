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
    from core import streaming

    return streaming.session()  # recording parts are streamed bodies


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
        raise RateLimited.from_response(resp, "oauth: rate limited")
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
        raise RateLimited.from_response(resp, f"{method} {path}: API limit")
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


# -- SOAP (partner API): the calls REST does not offer, such as merge() -------------------
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
PARTNER = "urn:partner.soap.sforce.com"
SOBJECT = "urn:sobject.partner.soap.sforce.com"


def soap(operation: str, body_xml: str, *, lane: budget.Lane = budget.GENERAL) -> Any:
    """One partner SOAP call (`body_xml`: the operation's children, in the partner
    namespace as `urn:` and sObject fields as `urn1:`); returns the `result` element of the
    response, or raises like `request` (a SOAP fault arrives as HTTP 500: its faultcode
    decides). The OAuth access token is the SOAP session id."""
    import xml.etree.ElementTree as ET

    import requests

    budget.spend(lane)
    version = API_VERSION.lstrip("v")
    for attempt in (0, 1):
        auth = _auth(refresh=attempt == 1)
        envelope = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:urn="{PARTNER}" '
            f'xmlns:urn1="{SOBJECT}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<soapenv:Header><urn:SessionHeader><urn:sessionId>"
            f"{xml_text(auth['token'])}</urn:sessionId></urn:SessionHeader></soapenv:Header>"
            f"<soapenv:Body><urn:{operation}>{body_xml}</urn:{operation}></soapenv:Body>"
            "</soapenv:Envelope>"
        )
        try:
            resp = _session().post(
                f"{auth['instance'].rstrip('/')}/services/Soap/u/{version}",
                data=envelope.encode(),
                headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": operation},
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            raise Transient(f"soap {operation}: {exc.__class__.__name__}") from None
        if resp.status_code >= 500 and resp.status_code != 500:
            raise Transient(f"soap {operation}: HTTP {resp.status_code}")
        if resp.status_code == 429:
            raise RateLimited.from_response(resp, f"soap {operation}: rate limited")
        try:
            root = ET.fromstring(resp.content)
        except ET.ParseError:
            raise Transient(
                f"soap {operation}: answer is not XML (HTTP {resp.status_code})"
            ) from None
        fault = root.find(f".//{{{SOAP_ENV}}}Fault")
        if fault is None:
            if resp.status_code >= 400:
                raise Permanent(resp.status_code, f"soap {operation}: HTTP {resp.status_code}")
            result = root.find(f".//{{{PARTNER}}}{operation}Response/{{{PARTNER}}}result")
            if result is None:
                raise Transient(f"soap {operation}: no result in the answer")
            return result
        code = (fault.findtext("faultcode") or "").split(":")[-1]
        text = (fault.findtext("faultstring") or "")[:300]
        if code == "INVALID_SESSION_ID" and attempt == 0:
            continue  # token expired: log in again once
        if code == "REQUEST_LIMIT_EXCEEDED":
            raise RateLimited.from_response(resp, f"soap {operation}: API limit")
        if code in ("INVALID_SESSION_ID", "SERVER_UNAVAILABLE", "UNKNOWN_EXCEPTION"):
            raise Transient(f"soap {operation}: {code}")
        raise Permanent(500, f"soap {operation}: {code}: {text}")
    raise Transient(f"soap {operation}: session expired")  # pragma: no cover


def xml_text(value: str) -> str:
    from xml.sax.saxutils import escape

    return escape(value)
