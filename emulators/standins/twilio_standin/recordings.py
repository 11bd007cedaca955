"""Call recordings [recordings]: `Calls/<sid>/Recordings[/<sid or Twilio.CURRENT>].json`
(start, pause / resume / stop, delete) and `Recordings[/<sid>][.json|.wav|.mp3]` (metadata,
ranged media, delete)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from emulators.standins.common import faultable, ranged_response
from emulators.standins.twilio_standin.media import throttled
from emulators.standins.twilio_standin.state import bad_param, not_found, state
from emulators.standins.twilio_standin.wire import BASE, created

bp = Blueprint("twilio_recordings", __name__, url_prefix=BASE)


@bp.post("/Calls/<call_sid>/Recordings.json")
@faultable("recordings")
def create_call_recording(acct: str, call_sid: str) -> Response:
    s = state()
    form = request.form.to_dict()
    events = " ".join(request.form.getlist("RecordingStatusCallbackEvent")).split()
    with s.lock:
        call = s.calls.get(call_sid)
        if call is None:
            return not_found()
        if call.status != "in-progress":
            return bad_param("Requested resource is not eligible for recording", 21220)
        r = s.start_recording(call, form, events)
        return created(s.recording_json(r))


@bp.get("/Calls/<call_sid>/Recordings.json")
@faultable("recordings")
def list_call_recordings(acct: str, call_sid: str) -> Response:
    s = state()
    with s.lock:
        items = [
            s.recording_json(r)
            for r in s.recordings.values()
            if r.call_sid == call_sid and not r.deleted
        ]
    return s.page("recordings", items, f"Calls/{call_sid}/Recordings.json")


@bp.get("/Calls/<call_sid>/Recordings/<name>")
@faultable("recordings")
def get_call_recording(acct: str, call_sid: str, name: str) -> Response:
    s = state()
    with s.lock:
        r = s.resolve_call_recording(call_sid, name)
        return jsonify(s.recording_json(r)) if r else not_found()


@bp.post("/Calls/<call_sid>/Recordings/<name>")
@faultable("recordings")
def update_call_recording(acct: str, call_sid: str, name: str) -> Response:
    s = state()
    form = request.form.to_dict()
    status = form.get("Status")
    if status not in ("paused", "in-progress", "stopped"):
        return bad_param("Status must be one of paused, in-progress, stopped.", 21220)
    behavior = form.get("PauseBehavior") or "silence"
    if behavior not in ("skip", "silence"):
        return bad_param("PauseBehavior must be skip or silence.")
    with s.lock:
        r = s.resolve_call_recording(call_sid, name)
        if r is None:
            return not_found()
        if r.status in ("completed", "stopped"):
            return bad_param("Recording is not in-progress or paused.", 21220)
        if status == "paused":
            r.status = "paused"
            r.pause_behavior = behavior
        elif status == "in-progress":
            r.status = "in-progress"
        else:
            s.complete_recording(r)
        r.date_updated = s.now()
        body = s.recording_json(r)
        if status == "stopped":
            body["status"] = "stopped"
        return jsonify(body)


@bp.delete("/Calls/<call_sid>/Recordings/<name>")
@faultable("recordings")
def delete_call_recording(acct: str, call_sid: str, name: str) -> Response:
    s = state()
    with s.lock:
        r = s.resolve_call_recording(call_sid, name)
        if r is None:
            return not_found()
        return s.delete_recording_now(r)


@bp.get("/Recordings.json")
@faultable("recordings")
def list_recordings(acct: str) -> Response:
    s = state()
    with s.lock:
        items = [
            s.recording_json(r)
            for r in s.recordings.values()
            if not r.deleted
            and (not request.args.get("CallSid") or r.call_sid == request.args["CallSid"])
            and (
                not request.args.get("ConferenceSid")
                or r.conference_sid == request.args["ConferenceSid"]
            )
        ]
    return s.page("recordings", items, "Recordings.json")


@bp.get("/Recordings/<name>")
@faultable("recordings")
def get_recording(acct: str, name: str) -> Response:
    s = state()
    sid, _, ext = name.partition(".")
    with s.lock:
        r = s.find_recording(sid)
        if r is None:
            return not_found()
        if ext == "json":
            return jsonify(s.recording_json(r))
        if ext not in ("", "wav", "mp3"):
            return not_found()
        if not r.completed:
            return not_found()
        total = r.media_size
    ctype = "audio/mpeg" if ext == "mp3" else "audio/x-wav"
    rate = s.media_rate
    produce = r.produce if not rate else throttled(r.produce, rate)
    return ranged_response(total, produce, ctype)


@bp.delete("/Recordings/<name>")
@faultable("recordings")
def delete_recording(acct: str, name: str) -> Response:
    s = state()
    with s.lock:
        r = s.find_recording(name.partition(".")[0])
        if r is None:
            return not_found()
        return s.delete_recording_now(r)
