"""`tickets` POST / GET (`?external_id=`), `tickets/<id>` GET / PUT [tickets] and
`tickets/<id>/comments` [comments]."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from emulators.standins.common import faultable, iso_z
from emulators.standins.zendesk_standin.state import state
from emulators.standins.zendesk_standin.wire import (
    bad_body,
    blank,
    body_object,
    created,
    listing,
    not_found,
    route,
)

bp = Blueprint("zendesk_tickets", __name__)


@route(bp, "/api/v2/tickets", ["POST"])
@faultable("tickets")
def create_ticket() -> Response:
    s = state()
    spec = body_object("ticket")
    if spec is None:
        return bad_body("ticket")
    comment_spec = spec.get("comment") if isinstance(spec.get("comment"), dict) else None
    if comment_spec is None and spec.get("description"):
        comment_spec = {"body": spec["description"]}
    if not comment_spec or not (comment_spec.get("body") or comment_spec.get("html_body")):
        return blank("description", "Description")
    with s.lock:
        ok, err = s.check_uploads(comment_spec)
        if err:
            return err
        requester = s.resolve_requester(spec)
        if isinstance(requester, Response):
            return requester
        t = iso_z(s.now())
        tid = s.next_id("ticket", 0)
        ticket: dict[str, Any] = {
            "id": tid,
            "external_id": None,
            "via": {"channel": "api"},
            "created_at": t,
            "updated_at": t,
            "type": None,
            "subject": None,
            "raw_subject": None,
            "description": str(comment_spec.get("body") or comment_spec.get("html_body")),
            "priority": None,
            "status": "new",
            "requester_id": requester,
            "submitter_id": s.agent_id(),
            "assignee_id": None,
            "organization_id": None,
            "group_id": None,
            "collaborator_ids": [],
            "follower_ids": [],
            "email_cc_ids": [],
            "has_incidents": False,
            "is_public": bool(comment_spec.get("public", True)),
            "due_at": None,
            "tags": [],
            "custom_fields": [],
            "satisfaction_rating": None,
            "brand_id": None,
            "allow_attachments": True,
        }
        s.apply_fields(ticket, spec)
        s.tickets[tid] = ticket
        c = s.apply_comment(ticket, comment_spec, ok)
        return created({"ticket": s.ticket_json(ticket), "audit": s.audit_json(ticket, c)})


@route(bp, "/api/v2/tickets", ["GET"])
@faultable("tickets")
def list_tickets() -> Response:
    s = state()
    # Zendesk's List Tickets accepts ?external_id= to find tickets by external id.
    wanted = request.args.get("external_id")
    with s.lock:
        items = [
            s.ticket_json(t)
            for t in s.tickets.values()
            if wanted is None or t.get("external_id") == wanted
        ]
    return listing("tickets", items)


@route(bp, "/api/v2/tickets/<int:ticket_id>", ["GET"])
@faultable("tickets")
def get_ticket(ticket_id: int) -> Response:
    s = state()
    with s.lock:
        t = s.tickets.get(ticket_id)
        return jsonify({"ticket": s.ticket_json(t)}) if t else not_found()


@route(bp, "/api/v2/tickets/<int:ticket_id>", ["PUT"])
@faultable("tickets")
def update_ticket(ticket_id: int) -> Response:
    s = state()
    spec = body_object("ticket")
    if spec is None:
        return bad_body("ticket")
    comment_spec = spec.get("comment") if isinstance(spec.get("comment"), dict) else None
    with s.lock:
        ticket = s.tickets.get(ticket_id)
        if ticket is None:
            return not_found()
        ok, err = s.check_uploads(comment_spec)
        if err:
            return err
        if comment_spec is not None and not (
            comment_spec.get("body") or comment_spec.get("html_body") or ok
        ):
            return blank("comment", "Comment")
        if "requester_id" in spec or "requester" in spec:
            requester = s.resolve_requester(spec)
            if isinstance(requester, Response):
                return requester
            ticket["requester_id"] = requester
        s.apply_fields(ticket, spec)
        ticket["updated_at"] = iso_z(s.now())
        c = s.apply_comment(ticket, comment_spec, ok) if comment_spec is not None else None
        return jsonify({"ticket": s.ticket_json(ticket), "audit": s.audit_json(ticket, c)})


@route(bp, "/api/v2/tickets/<int:ticket_id>/comments", ["GET"])
@faultable("comments")
def list_comments(ticket_id: int) -> Response:
    s = state()
    with s.lock:
        if ticket_id not in s.tickets:
            return not_found()
        items = [s.comment_json(c) for c in s.comments.get(ticket_id, [])]
    if request.args.get("sort_order") == "desc":
        items.reverse()
    return listing("comments", items)
