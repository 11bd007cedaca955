"""Zendesk's `/_control/` routes: tickets with their comments and attachments, uploads,
users (README "Control")."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from emulators.standins.common import iso_z, json_error
from emulators.standins.zendesk_standin.state import state

bp = Blueprint("zendesk_control", __name__, url_prefix="/_control")


@bp.get("/tickets/<int:ticket_id>/attachments")
def control_ticket_attachments(ticket_id: int) -> Response:
    s = state()
    with s.lock:
        if ticket_id not in s.tickets:
            return json_error(404, {"error": "no such ticket"})
        out = [
            s.attachment_record(s.attachments[aid])
            for c in s.comments.get(ticket_id, [])
            for aid in c.attachment_ids
        ]
        return jsonify({"attachments": out})


@bp.get("/tickets")
def control_tickets() -> Response:
    s = state()
    with s.lock:
        out = []
        for t in s.tickets.values():
            item = s.ticket_json(t)
            item["comments"] = [s.comment_json(c) for c in s.comments.get(t["id"], [])]
            out.append(item)
        return jsonify({"tickets": out})


@bp.get("/uploads")
def control_uploads() -> Response:
    s = state()
    with s.lock:
        out = [
            {
                "token": u.token,
                "created_at": iso_z(u.created_at),
                "expires_at": iso_z(u.expires_at),
                "used_in_comment": u.used_in_comment,
                "deleted": u.deleted,
                "attachments": [s.attachment_record(s.attachments[i]) for i in u.attachment_ids],
            }
            for u in s.uploads.values()
        ]
        return jsonify({"uploads": out})


@bp.get("/users")
def control_users() -> Response:
    s = state()
    with s.lock:
        out = [{**s.user_json(u), "merged_into": u.get("_merged_into")} for u in s.users.values()]
        return jsonify({"users": out})
