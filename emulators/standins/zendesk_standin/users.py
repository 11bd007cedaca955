"""`users` POST, `users/create_or_update`, `users/search`, `users/<id>` GET / PUT,
`users/<id>/merge` [users] and `users/<id>/tickets/requested` [tickets]."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from emulators.standins.common import faultable, iso_z, json_error
from emulators.standins.zendesk_standin.state import state
from emulators.standins.zendesk_standin.wire import (
    bad_body,
    blank,
    body_object,
    created,
    listing,
    not_found,
    record_invalid,
    route,
)

bp = Blueprint("zendesk_users", __name__)


@route(bp, "/api/v2/users", ["POST"])
@faultable("users")
def create_user() -> Response:
    s = state()
    spec = body_object("user")
    if spec is None:
        return bad_body("user")
    if not spec.get("name"):
        return blank("name", "Name")
    with s.lock:
        err = s.validate_user(spec, None)
        if err:
            return err
        return created({"user": s.user_json(s.make_user(spec))})


@route(bp, "/api/v2/users/create_or_update", ["POST"])
@faultable("users")
def create_or_update_user() -> Response:
    s = state()
    spec = body_object("user")
    if spec is None:
        return bad_body("user")
    with s.lock:
        match = None
        for key in ("external_id", "email"):
            if spec.get(key):
                match = next(
                    (u for u in s.users.values() if u["active"] and u[key] == spec[key]), None
                )
                if match:
                    break
        if match is not None:
            err = s.validate_user(spec, match["id"])
            if err:
                return err
            s.update_user_fields(match, spec)
            return jsonify({"user": s.user_json(match)})
        if not spec.get("name"):
            return blank("name", "Name")
        return created({"user": s.user_json(s.make_user(spec))})


@route(bp, "/api/v2/users/search", ["GET"])
@faultable("users")
def search_users() -> Response:
    s = state()
    ext = request.args.get("external_id")
    query = (request.args.get("query") or "").strip()
    with s.lock:
        active = [u for u in s.users.values() if u["active"]]
        if ext is not None:
            found = [u for u in active if u["external_id"] == ext]
        elif query:
            key, sep, value = query.partition(":")
            if sep and key in ("email", "external_id", "name", "phone"):
                found = [u for u in active if str(u.get(key) or "") == value.strip('"')]
            else:
                q = query.lower()
                found = [
                    u
                    for u in active
                    if q in str(u.get("name") or "").lower()
                    or q in str(u.get("email") or "").lower()
                ]
        else:
            return json_error(
                400, {"error": "InvalidEndpoint", "description": "query or external_id"}
            )
        return listing("users", [s.user_json(u) for u in found])


@route(bp, "/api/v2/users/<int:user_id>", ["GET"])
@faultable("users")
def get_user(user_id: int) -> Response:
    s = state()
    with s.lock:
        u = s.users.get(user_id)
        return jsonify({"user": s.user_json(u)}) if u else not_found()


@route(bp, "/api/v2/users/<int:user_id>", ["PUT"])
@faultable("users")
def update_user(user_id: int) -> Response:
    s = state()
    spec = body_object("user")
    if spec is None:
        return bad_body("user")
    with s.lock:
        u = s.users.get(user_id)
        if u is None:
            return not_found()
        err = s.validate_user(spec, user_id)
        if err:
            return err
        s.update_user_fields(u, spec)
        return jsonify({"user": s.user_json(u)})


@route(bp, "/api/v2/users/<int:user_id>/merge", ["PUT"])
@faultable("users")
def merge_user(user_id: int) -> Response:
    s = state()
    spec = body_object("user")
    if spec is None or "id" not in spec:
        return bad_body("user")
    with s.lock:
        source = s.users.get(user_id)
        target = s.users.get(int(spec["id"])) if str(spec["id"]).isdigit() else None
        if source is None or target is None or not source["active"]:
            return not_found()
        if source["id"] == target["id"] or source["role"] != "end-user":
            return record_invalid(
                {"base": [{"description": "Users cannot be merged", "error": "InvalidValue"}]}
            )
        for t in s.tickets.values():
            if t["requester_id"] == source["id"]:
                t["requester_id"] = target["id"]
                t["updated_at"] = iso_z(s.now())
        source["active"] = False
        source["_merged_into"] = target["id"]
        target["updated_at"] = iso_z(s.now())
        return jsonify({"user": s.user_json(target)})


@route(bp, "/api/v2/users/<int:user_id>/tickets/requested", ["GET"])
@faultable("tickets")
def requested_tickets(user_id: int) -> Response:
    s = state()
    with s.lock:
        if user_id not in s.users:
            return not_found()
        items = [s.ticket_json(t) for t in s.tickets.values() if t["requester_id"] == user_id]
    return listing("tickets", items)
