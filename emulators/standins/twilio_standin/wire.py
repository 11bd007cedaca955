"""Twilio's wire conventions: SIDs, dates, booleans, the error envelope."""

from __future__ import annotations

import uuid
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from flask import Response, jsonify

from emulators.standins.common import Fault, json_error, retry_after_headers

DEFAULT_ACCOUNT_SID = "AC00000000000000000000000000000000"
DEFAULT_AUTH_TOKEN = "local-twilio-token"
DEFAULT_PORT = 8180
API_VERSION = "2010-04-01"
FINAL_CALL_STATUSES = {"completed", "canceled", "failed", "busy", "no-answer"}
# Twilio's StatusCallbackEvent names for call statuses.
CALL_EVENT_OF_STATUS = {"queued": "initiated", "ringing": "ringing", "in-progress": "answered"}
# Every REST route lives under the account (`acct` is checked by the app's auth hook).
BASE = f"/{API_VERSION}/Accounts/<acct>"


def new_sid(prefix: str) -> str:
    """A Twilio-shaped SID: two-letter prefix + 32 hex digits."""
    return prefix + uuid.uuid4().hex


def rfc2822(dt: datetime | None) -> str | None:
    """Twilio prints dates in RFC 2822 (e.g. 'Tue, 31 Aug 2010 20:36:28 +0000')."""
    return None if dt is None else format_datetime(dt)


def as_bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() == "true"


def twilio_error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """Twilio's JSON error envelope."""
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return json_error(status, body, headers)


def fault_error(status: int, fault: Fault | None) -> Response:
    codes = {
        429: (20429, "Too Many Requests"),
        500: (20500, "Internal Server Error"),
        503: (20503, "Service Unavailable"),
        401: (20003, "Authenticate"),
        404: (20404, "The requested resource was not found"),
    }
    code, message = codes.get(status, (20500 if status >= 500 else 20001, "Injected fault"))
    return twilio_error(status, code, message, retry_after_headers(fault))


def created(body: Any) -> Response:
    """A JSON 201 answer."""
    resp = jsonify(body)
    resp.status_code = 201
    return resp


def strip_json(name: str) -> str:
    return name[:-5] if name.endswith(".json") else name
