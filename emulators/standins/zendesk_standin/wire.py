"""Zendesk's wire conventions: the error envelopes, listings, `.json`-optional routes."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request

from emulators.standins.common import Fault, json_error, retry_after_headers

DEFAULT_EMAIL = "agent@example.com"
DEFAULT_API_TOKEN = "local-zendesk-token"
DEFAULT_PORT = 8181
TOKEN_TTL_SECONDS = 3600


def record_invalid(details: dict[str, list[dict[str, str]]]) -> Response:
    """Zendesk's 422 validation envelope."""
    body = {"error": "RecordInvalid", "description": "Record validation errors", "details": details}
    return json_error(422, body)


def not_found() -> Response:
    return json_error(404, {"error": "RecordNotFound", "description": "Not found"})


def fault_error(status: int, fault: Fault | None) -> Response:
    headers = retry_after_headers(fault)
    if status == 429:
        # Zendesk answers rate limits in plain text, with rate headers.
        headers.setdefault("X-Rate-Limit", "700")
        headers.setdefault("X-Rate-Limit-Remaining", "0")
        return Response(
            "Number of allowed API requests per minute exceeded",
            status=429,
            headers=headers,
            content_type="text/plain",
        )
    if status >= 500:
        body = {"error": "ServiceUnavailable" if status == 503 else "InternalServerError"}
        body["description"] = "Injected server error"
        return json_error(status, body, headers)
    return json_error(status, {"error": "InjectedFault", "description": f"HTTP {status}"}, headers)


def created(body: Any) -> Response:
    resp = jsonify(body)
    resp.status_code = 201
    return resp


def new_token(n: int = 25) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(n))


def route(
    bp: Blueprint, rule: str, methods: list[str]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `rule.json` and `rule` on `bp` (Zendesk accepts both)."""

    def deco(view: Callable[..., Any]) -> Callable[..., Any]:
        bp.add_url_rule(rule + ".json", view.__name__, view, methods=methods)
        bp.add_url_rule(rule, view.__name__, view, methods=methods)
        return view

    return deco


def body_object(key: str) -> dict[str, Any] | None:
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        return None
    return data[key]


def bad_body(key: str) -> Response:
    return json_error(
        400,
        {"error": "InvalidEndpoint", "description": f"Body must be a JSON object with '{key}'"},
    )


def blank(field: str, label: str) -> Response:
    """The 422 for a required field left empty."""
    return record_invalid(
        {field: [{"description": f"{label}: cannot be blank", "error": "BlankValue"}]}
    )


def listing(key: str, items: list[dict[str, Any]]) -> Response:
    return jsonify({key: items, "next_page": None, "previous_page": None, "count": len(items)})
