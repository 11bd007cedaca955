"""Twilio webhooks for SIP data parameters (signature-checked).

- POST /twilio/sip/inbound?queue_id=Q[&next=URL]: a call from a SIP trunk / domain.
  Its configured X- headers become profile flags on the call session (created queued on
  Q if the status callback has not made it yet); with `in_metadata` the raw headers are
  kept on the session. Answers a <Redirect> to `next` (another of our functions, e.g.
  the IVR) or to our own SIP redirection.
- POST /twilio/sip/redirect: sends the call to the queue's SIP URI with the current flags
  as SIP headers; with `in_metadata` / `in_crm_record` the destination and data passed
  are recorded on the session / as a CRM note (once per call, even if Twilio retries).
"""

from __future__ import annotations

import hashlib
import json
import time
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import flask

from attributes import crm_sync, flags, redirection, sip
from core import idempotency
from core.auth.twilio_signature import verify_twilio
from core.config.store import get_view
from core.errors import ApiError, bad_request
from core.http import xml_response
from core.sessions import store
from core.settings import settings


def _call_sid(params: dict[str, str]) -> str:
    sid = params.get("CallSid", "")
    if not sid.startswith("CA") or len(sid) != 34 or not sid[2:].isalnum():
        raise bad_request("CallSid", "must be a Twilio call sid (CA + 32 hex)")
    return sid


def _allowed_next(url: str) -> bool:
    """Only our own functions may be the next step (the URL is Twilio-signed, but a
    config mistake must not hand the call to a stranger)."""
    s = settings()
    try:
        origins = {urlsplit(u)[:2] for u in json.loads(s.function_urls_json or "{}").values()}
    except ValueError:
        origins = set()
    origins.add(urlsplit(s.public_url)[:2])
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts[:2] in origins


def inbound(request: flask.Request) -> flask.Response:
    params = verify_twilio(request)
    sid = _call_sid(params)
    queue_id = request.args.get("queue_id", "")
    node = get_view().queue(queue_id) if queue_id else None
    if node is None or not node.is_leaf:
        raise bad_request("queue_id", "a leaf queue id is required")
    nxt = request.args.get("next")
    if nxt is not None and not _allowed_next(nxt):
        raise bad_request("next", "must be a URL of one of our functions")
    headers = sip.parse_sip_headers(params)
    create = {
        "channel": "voice",
        "queue_id": node.id,
        "queue_path": node.path,
        "carrier": {
            "call_sid": sid,
            "from": params.get("From"),
            "to": params.get("To"),
            "direction": "inbound",
        },
        "end_user": {
            "id": params.get("From"),
            "name": None,
            "email": None,
            "phone": None,
            "anonymous": True,
        },
    }
    store.ensure(sid, "queued", create)
    red = redirection.for_queue(node.id)
    values, rejected = sip.flags_from_headers(red, headers)
    attrs = {"sip_headers": headers} if red and red.sip.data_records.in_metadata else None
    digest = hashlib.sha256(json.dumps(headers, sort_keys=True).encode()).hexdigest()[:24]
    detail = {"rejected": rejected} if rejected else None
    flags.apply(
        sid,
        values,
        source="sip_headers",
        key=f"sip:{digest}",
        kinds=("call",),
        attributes=attrs,
        detail=detail,
    )
    target = nxt or settings().public_url.rstrip("/") + "/twilio/sip/redirect"
    return xml_response(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<Response><Redirect method="POST">{escape(target)}</Redirect>'
        "</Response>"
    )


def redirect(request: flask.Request) -> flask.Response:
    params = verify_twilio(request)
    sid = _call_sid(params)
    doc = flags.current(sid, kinds=("call",))
    red = redirection.for_queue(doc.get("queue_id"))
    if red is None:
        raise ApiError(
            409, "no_redirection", "the call's queue has no SIP redirection", field="queue_id"
        )
    profile = flags.public_profile(doc)
    uri = sip.build_sip_uri(red, profile)
    passed = sip.outgoing_headers(red, profile)
    if red.sip.data_records.in_metadata:
        record = {
            "sip_redirect": {"uri": red.sip.uri, "data_parameters": passed, "at": time.time()}
        }
        store.set_fields(sid, {"attributes": record})
    if red.sip.data_records.in_crm_record:
        key = f"sip-redirect-note:{sid}"
        if idempotency.claim(key):
            note = (
                "Call redirected to external SIP.\n"
                f"SIP destination: {red.sip.uri}\n"
                f"Data parameters passed:\n{json.dumps(passed, indent=1)}"
            )
            if crm_sync.write_note(store.get(sid) or doc, note):
                idempotency.done(key)
            else:
                idempotency.release(key)  # the next attempt writes it
    return xml_response(sip.dial_twiml(uri))
