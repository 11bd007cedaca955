"""`Conferences/<sid or friendly name>/Participants[/<CallSid or Label>].json` [participants]."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from emulators.standins.common import faultable
from emulators.standins.twilio_standin.state import bad_param, not_found, state
from emulators.standins.twilio_standin.wire import BASE, as_bool, created

bp = Blueprint("twilio_participants", __name__, url_prefix=f"{BASE}/Conferences/<conf>")


@bp.post("/Participants.json")
@faultable("participants")
def create_participant(acct: str, conf: str) -> Response:
    s = state()
    form = request.form.to_dict()
    if not form.get("To"):
        return bad_param("Required parameter 'To' missing.", 21604)
    if not form.get("From"):
        return bad_param("Required parameter 'From' missing.", 21603)
    coaching = as_bool(form.get("Coaching"))
    if coaching and not form.get("CallSidToCoach"):
        return bad_param("CallSidToCoach is required when Coaching is true.")
    with s.lock:
        c = s.get_or_create_conference(conf, create=not conf.startswith("CF"))
        if c is None or c.status == "completed":
            return not_found()
        if form.get("CallSidToCoach") and form["CallSidToCoach"] not in c.participants:
            return bad_param("CallSidToCoach is not a participant of this conference.")
        if form.get("Label") and s.find_participant(c, form["Label"]) is not None:
            return bad_param("A participant with this label already exists.")
        call_form = {"To": form["To"], "From": form["From"]}
        call = s.new_call(call_form, "in-progress", "outbound-api")
        p = s.add_participant(c, call, form, status="connected")
        return created(s.participant_json(p, status="queued"))


@bp.get("/Participants.json")
@faultable("participants")
def list_participants(acct: str, conf: str) -> Response:
    s = state()
    with s.lock:
        c = s.conferences.get(conf)
        if c is None:
            return not_found()
        items = [
            s.participant_json(p)
            for p in c.participants.values()
            if (not request.args.get("Muted") or p.muted == as_bool(request.args["Muted"]))
            and (not request.args.get("Hold") or p.hold == as_bool(request.args["Hold"]))
            and (
                not request.args.get("Coaching") or p.coaching == as_bool(request.args["Coaching"])
            )
        ]
    return s.page("participants", items, f"Conferences/{conf}/Participants.json")


@bp.get("/Participants/<name>")
@faultable("participants")
def get_participant(acct: str, conf: str, name: str) -> Response:
    s = state()
    with s.lock:
        c = s.conferences.get(conf)
        p = s.find_participant(c, name) if c else None
        return jsonify(s.participant_json(p)) if p else not_found()


@bp.post("/Participants/<name>")
@faultable("participants")
def update_participant(acct: str, conf: str, name: str) -> Response:
    s = state()
    form = request.form.to_dict()
    with s.lock:
        c = s.conferences.get(conf)
        p = s.find_participant(c, name) if c else None
        if c is None or p is None:
            return not_found()
        # Validate first: a refused update changes nothing (as at Twilio).
        coaching = as_bool(form["Coaching"]) if "Coaching" in form else p.coaching
        to_coach = (
            form["CallSidToCoach"] or None if "CallSidToCoach" in form else p.call_sid_to_coach
        )
        if coaching and not to_coach:
            return bad_param("CallSidToCoach is required when Coaching is true.")
        if form.get("CallSidToCoach") and form["CallSidToCoach"] not in c.participants:
            return bad_param("CallSidToCoach is not a participant of this conference.")
        if "Muted" in form:
            p.muted = as_bool(form["Muted"])
        if "Hold" in form:
            p.hold = as_bool(form["Hold"])
        p.coaching, p.call_sid_to_coach = coaching, to_coach
        if "EndConferenceOnExit" in form:
            p.end_conference_on_exit = as_bool(form["EndConferenceOnExit"])
        p.updates.append(form)
        p.date_updated = s.now()
        return jsonify(s.participant_json(p))


@bp.delete("/Participants/<name>")
@faultable("participants")
def delete_participant(acct: str, conf: str, name: str) -> Response:
    s = state()
    with s.lock:
        c = s.conferences.get(conf)
        p = s.find_participant(c, name) if c else None
        if c is None or p is None:
            return not_found()
        s.leave_conference(c, p, kicked=True)
        return Response(status=204)
