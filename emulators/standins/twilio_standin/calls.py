"""`Calls.json` and `Calls/<sid>.json` [calls]."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from emulators.standins.common import faultable
from emulators.standins.twilio_standin.state import bad_param, not_found, state
from emulators.standins.twilio_standin.wire import (
    BASE,
    FINAL_CALL_STATUSES,
    created,
    rfc2822,
    strip_json,
)

bp = Blueprint("twilio_calls", __name__, url_prefix=BASE)


@bp.post("/Calls.json")
@faultable("calls")
def create_call(acct: str) -> Response:
    s = state()
    form = request.form.to_dict()
    if not form.get("To"):
        return bad_param("Required parameter 'To' missing.", 21201)
    if not form.get("From"):
        return bad_param("Required parameter 'From' missing.", 21213)
    if not (form.get("Url") or form.get("Twiml") or form.get("ApplicationSid")):
        return bad_param("Either 'Url', 'Twiml' or 'ApplicationSid' is required.", 21205)
    form.pop("Sid", None)
    with s.lock:
        events = set(" ".join(request.form.getlist("StatusCallbackEvent")).split())
        c = s.new_call(form, "queued", "outbound-api", events)
        s.fire_call_callback(c, "queued")
        return created(s.call_json(c))


@bp.get("/Calls.json")
@faultable("calls")
def list_calls(acct: str) -> Response:
    s = state()
    with s.lock:
        items = [
            s.call_json(c)
            for c in sorted(s.calls.values(), key=lambda c: c.date_created, reverse=True)
            if (not request.args.get("Status") or c.status == request.args["Status"])
            and (not request.args.get("To") or c.to == request.args["To"])
            and (not request.args.get("From") or c.from_ == request.args["From"])
        ]
    return s.page("calls", items, "Calls.json")


@bp.get("/Calls/<name>")
@faultable("calls")
def get_call(acct: str, name: str) -> Response:
    s = state()
    with s.lock:
        c = s.calls.get(strip_json(name))
        return jsonify(s.call_json(c)) if c else not_found()


@bp.post("/Calls/<name>")
@faultable("calls")
def update_call(acct: str, name: str) -> Response:
    s = state()
    form = request.form.to_dict()
    with s.lock:
        c = s.calls.get(strip_json(name))
        if c is None:
            return not_found()
        status = form.get("Status")
        if status and status not in ("completed", "canceled"):
            return bad_param("Status must be 'completed' or 'canceled'.", 21218)
        redirect = form.get("Twiml") or form.get("Url")
        if redirect and c.status in FINAL_CALL_STATUSES:
            return bad_param("Call is not in-progress. Cannot redirect.", 21220)
        if form.get("StatusCallback"):
            c.status_callback = form["StatusCallback"]
            c.status_callback_method = (form.get("StatusCallbackMethod") or "POST").upper()
        t = s.now()
        if redirect:
            c.twiml = form.get("Twiml") or None
            c.url = form.get("Url") or None
            c.history.append({"at": rfc2822(t), "twiml": c.twiml, "url": c.url})
            c.date_updated = t
            if c.conference_sid in s.conferences:
                conf = s.conferences[c.conference_sid]
                if c.sid in conf.participants:
                    s.leave_conference(conf, conf.participants[c.sid], kicked=False)
        if status == "canceled" and c.status in ("queued", "ringing"):
            s.set_call_status(c, "canceled")
        elif status == "completed":
            s.set_call_status(c, "completed")
        return jsonify(s.call_json(c))


@bp.delete("/Calls/<name>")
@faultable("calls")
def delete_call(acct: str, name: str) -> Response:
    s = state()
    with s.lock:
        if s.calls.pop(strip_json(name), None) is None:
            return not_found()
        s.deletions.append({"type": "call", "sid": strip_json(name), "at": rfc2822(s.now())})
        return Response(status=204)
