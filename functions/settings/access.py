"""Who may read and edit settings. The one place that authenticates the caller, so the
token verification underneath (portal token today) can change without touching routes."""

from __future__ import annotations

import flask

from core.auth import portal
from core.config.view import CenterView
from core.errors import forbidden, not_found

PERMISSION = "settings.edit"


def editor(request: flask.Request) -> portal.Principal:
    """An authenticated user with `settings.edit` (any scope)."""
    who = portal.authenticate(request)
    who.require(PERMISSION)
    return who


def require_center(who: portal.Principal) -> None:
    """Center-wide settings (hours library, deflection, languages, people) need a role
    whose scope is every queue; a team-scoped editor edits only their queues."""
    if not who.all_queues:
        raise forbidden("center-wide settings need a role whose scope is all queues")


def require_queue(who: portal.Principal, view: CenterView, qid: str) -> None:
    """A queue outside the caller's teams is reported missing (no existence leak)."""
    if view.queue(qid) is None or not who.can_see_queue(qid):
        raise not_found("queue")


def actor(who: portal.Principal) -> dict[str, str]:
    return {"type": "user", "id": who.user_id, "name": who.name}


def auditor(request: flask.Request) -> portal.Principal:
    """Reading the settings audit: `settings.edit` or `audit.read`."""
    who = portal.authenticate(request)
    if not (who.has(PERMISSION) or who.has("audit.read")):
        raise forbidden(f"requires the {PERMISSION!r} or 'audit.read' permission")
    return who
