"""`Messages.json` and `Messages/<sid>.json` [messages]."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from emulators.standins.common import faultable
from emulators.standins.twilio_standin.state import bad_param, not_found, state
from emulators.standins.twilio_standin.wire import (
    API_VERSION,
    BASE,
    created,
    new_sid,
    rfc2822,
    strip_json,
)

bp = Blueprint("twilio_messages", __name__, url_prefix=BASE)


def message_json(m: dict[str, Any]) -> dict[str, Any]:
    """The message as Twilio answers it (without what the stand-in keeps for control)."""
    return {k: v for k, v in m.items() if not k.startswith("_")}


@bp.post("/Messages.json")
@faultable("messages")
def create_message(acct: str) -> Response:
    s = state()
    form = request.form.to_dict()
    if not form.get("To"):
        return bad_param("A 'To' phone number is required.", 21604)
    if not (form.get("From") or form.get("MessagingServiceSid")):
        return bad_param("A 'From' phone number is required.", 21603)
    if not (form.get("Body") or form.get("MediaUrl") or form.get("ContentSid")):
        return bad_param("Message body is required.", 21602)
    t = s.now()
    sid = new_sid("SM")
    m = {
        "sid": sid,
        "account_sid": s.account_sid,
        "api_version": API_VERSION,
        "to": form["To"],
        "from": form.get("From"),
        "messaging_service_sid": form.get("MessagingServiceSid"),
        "body": form.get("Body", ""),
        "status": "accepted" if form.get("MessagingServiceSid") else "queued",
        "direction": "outbound-api",
        "num_segments": "1",
        "num_media": str(len(request.form.getlist("MediaUrl"))),
        "price": None,
        "price_unit": "USD",
        "error_code": None,
        "error_message": None,
        "date_created": rfc2822(t),
        "date_updated": rfc2822(t),
        "date_sent": None,
        "uri": s.acct_uri(f"Messages/{sid}.json"),
        "subresource_uris": {"media": s.acct_uri(f"Messages/{sid}/Media.json")},
        "_params": form,
    }
    with s.lock:
        s.messages[sid] = m
    return created(message_json(m))


@bp.get("/Messages/<name>")
@faultable("messages")
def get_message(acct: str, name: str) -> Response:
    s = state()
    with s.lock:
        m = s.messages.get(strip_json(name))
        return jsonify(message_json(m)) if m else not_found()
