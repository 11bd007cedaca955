"""`Conferences.json` and `Conferences/<sid>.json` [conferences]."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from emulators.standins.common import faultable
from emulators.standins.twilio_standin.state import not_found, state
from emulators.standins.twilio_standin.wire import BASE, strip_json

bp = Blueprint("twilio_conferences", __name__, url_prefix=BASE)


@bp.get("/Conferences.json")
@faultable("conferences")
def list_conferences(acct: str) -> Response:
    s = state()
    with s.lock:
        items = [
            s.conference_json(c)
            for c in s.conferences.values()
            if (not request.args.get("Status") or c.status == request.args["Status"])
            and (
                not request.args.get("FriendlyName")
                or c.friendly_name == request.args["FriendlyName"]
            )
        ]
    return s.page("conferences", items, "Conferences.json")


@bp.get("/Conferences/<name>")
@faultable("conferences")
def get_conference(acct: str, name: str) -> Response:
    s = state()
    with s.lock:
        c = s.conferences.get(strip_json(name))
        return jsonify(s.conference_json(c)) if c else not_found()


@bp.post("/Conferences/<name>")
@faultable("conferences")
def update_conference(acct: str, name: str) -> Response:
    s = state()
    with s.lock:
        c = s.conferences.get(strip_json(name))
        if c is None:
            return not_found()
        if request.form.get("Status") == "completed":
            s.end_conference(c, "conference-ended-via-api", None)
        return jsonify(s.conference_json(c))
