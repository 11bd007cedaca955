"""Twilio's `/_control/` routes: calls, conferences, recordings, media rate, deletions,
messages, signed webhooks on request and the callbacks sent (README "Control")."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from emulators.standins.common import json_error
from emulators.standins.twilio_standin.media import Recording
from emulators.standins.twilio_standin.messages import message_json
from emulators.standins.twilio_standin.state import state
from emulators.standins.twilio_standin.wire import created, new_sid

bp = Blueprint("twilio_control", __name__, url_prefix="/_control")


@bp.get("/calls")
def control_calls() -> Response:
    s = state()
    with s.lock:
        out = []
        for c in s.calls.values():
            item = s.call_json(c)
            item.update(
                url=c.url,
                twiml=c.twiml,
                status_callback=c.status_callback,
                conference_sid=c.conference_sid,
                history=c.history,
            )
            out.append(item)
        return jsonify({"calls": out})


@bp.post("/calls")
def control_upsert_call() -> Response:
    s = state()
    body = request.get_json(silent=True) or {}
    status = body.get("status", "in-progress")
    with s.lock:
        sid = body.get("sid")
        c = s.calls.get(sid) if sid else None
        if c is None:
            form = {
                "Sid": sid or "",
                "To": body.get("to", "+15005550006"),
                "From": body.get("from", "+15005550001"),
                "StatusCallback": body.get("status_callback") or "",
                "StatusCallbackMethod": body.get("status_callback_method") or "POST",
                "Url": body.get("url") or "",
            }
            events = set(body.get("status_callback_events", []))
            c = s.new_call(form, status, body.get("direction", "inbound"), events)
        else:
            if body.get("status_callback"):
                c.status_callback = body["status_callback"]
            s.set_call_status(c, status, reason="control")
        conf_name = body.get("conference_sid")
        if conf_name:
            conf = s.get_or_create_conference(conf_name, create=True)
            if conf is not None and c.sid not in conf.participants:
                pform = {
                    "Label": body.get("label") or "",
                    "Muted": str(bool(body.get("muted", False))).lower(),
                    "Beep": str(body.get("beep", "true")),
                    "EndConferenceOnExit": str(
                        bool(body.get("end_conference_on_exit", False))
                    ).lower(),
                }
                s.add_participant(conf, c, pform, status="connected")
        item = s.call_json(c)
        item["conference_sid"] = c.conference_sid
        return created(item)


@bp.get("/conferences")
def control_conferences() -> Response:
    s = state()
    with s.lock:
        return jsonify({"conferences": [s.conference_json(c) for c in s.conferences.values()]})


@bp.post("/conferences")
def control_create_conference() -> Response:
    s = state()
    body = request.get_json(silent=True) or {}
    with s.lock:
        name = body.get("sid") or body.get("friendly_name") or new_sid("CF")
        conf = s.get_or_create_conference(name, create=True)
        assert conf is not None
        if body.get("friendly_name"):
            conf.friendly_name = body["friendly_name"]
        return created(s.conference_json(conf))


@bp.get("/conferences/<conf>/participants")
def control_participants(conf: str) -> Response:
    s = state()
    with s.lock:
        c = s.get_or_create_conference(conf, create=False)
        if c is None:
            return json_error(404, {"error": "no such conference"})
        return jsonify({"participants": [s.participant_record(p) for p in c.history]})


@bp.get("/deletions")
def control_deletions() -> Response:
    s = state()
    with s.lock:
        return jsonify({"deletions": list(s.deletions)})


@bp.get("/messages")
def control_messages() -> Response:
    s = state()
    with s.lock:
        out = [{**message_json(m), "params": m["_params"]} for m in s.messages.values()]
        return jsonify({"messages": out})


@bp.post("/recordings")
def control_register_recording() -> Response:
    s = state()
    body = request.get_json(silent=True) or {}
    call_sid = body.get("call_sid")
    seconds = body.get("seconds", 0)
    bps = body.get("bytes_per_second", s.recording_bytes_per_second)
    if not call_sid or not isinstance(seconds, int) or not isinstance(bps, int) or bps < 1:
        return json_error(400, {"error": "need call_sid, integer seconds, bytes_per_second"})
    with s.lock:
        r = Recording(
            sid=body.get("sid") or new_sid("RE"),
            account_sid=s.account_sid,
            call_sid=call_sid,
            bytes_per_second=bps,
            date_created=s.now(),
            conference_sid=body.get("conference_sid"),
            source=body.get("source", "StartCallRecordingAPI"),
            status_callback=body.get("status_callback"),
        )
        spans = sorted(body.get("paused_spans", []), key=lambda span: span["start"])
        k = 0
        for span in spans:
            r.add("active", span["start"] - k)
            r.add(span.get("behavior", "skip"), span["end"] - span["start"])
            k = span["end"]
        r.add("active", seconds - k)
        s.recordings[r.sid] = r
        if body.get("status", "completed") == "completed":
            s.complete_recording(r)
        return created(s.control_recording_json(r))


@bp.post("/media_rate")
def control_media_rate() -> Response:
    body = request.get_json(silent=True) or {}
    rate = body.get("bytes_per_second")
    if rate is not None and (not isinstance(rate, int | float) or rate <= 0):
        return json_error(400, {"error": "bytes_per_second: a positive number, or null"})
    state().media_rate = rate
    return jsonify({"bytes_per_second": rate})


@bp.get("/recordings")
def control_recordings() -> Response:
    s = state()
    with s.lock:
        return jsonify({"recordings": [s.control_recording_json(r) for r in s.recordings.values()]})


@bp.post("/recordings/<sid>/advance")
def control_advance(sid: str) -> Response:
    s = state()
    body = request.get_json(silent=True) or {}
    n = body.get("seconds")
    if not isinstance(n, int) or n < 0:
        return json_error(400, {"error": "seconds must be a non-negative integer"})
    with s.lock:
        r = s.recordings.get(sid)
        if r is None:
            return json_error(404, {"error": "no such recording"})
        if r.status == "in-progress":
            r.add("active", n)
        elif r.status == "paused":
            r.add(r.pause_behavior, n)
        else:
            return json_error(409, {"error": f"recording is {r.status}"})
        return jsonify(s.control_recording_json(r))


@bp.post("/recordings/<sid>/complete")
def control_complete(sid: str) -> Response:
    s = state()
    with s.lock:
        r = s.recordings.get(sid)
        if r is None:
            return json_error(404, {"error": "no such recording"})
        s.complete_recording(r)
        return jsonify(s.control_recording_json(r))


@bp.post("/send_webhook")
def control_send_webhook() -> Response:
    dispatcher = state().dispatcher
    body = request.get_json(silent=True) or {}
    url = body.get("url")
    params = body.get("params") or {}
    if not url or not isinstance(params, dict):
        return json_error(400, {"error": "need url and params object"})
    params = {str(k): str(v) for k, v in params.items()}
    entry = dispatcher.deliver(url, params, body.get("method", "POST"), body.get("send_to"))
    entry["kind"] = "webhook"
    dispatcher.add_log(entry)
    return jsonify(entry)


@bp.get("/callbacks")
def control_callbacks() -> Response:
    dispatcher = state().dispatcher
    wait = float(request.args.get("wait", 0) or 0)
    idle = dispatcher.wait_idle(wait) if wait > 0 else True
    return jsonify({"callbacks": dispatcher.log_snapshot(), "idle": idle})
