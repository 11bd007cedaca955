"""Who may act on one session for a customer: its assigned agent, or a supervisory user.

One rule for every route that acts on (or reads what the customer shared in) a session:

- the session's assigned agent, holding the capability's own permission (`act`);
- anyone else only with the capability's supervisory permission (`supervise`), and only
  when their teams cover the session's queue (or their role's scope is "all").

Out of the caller's queues the session does not exist for them (404, no existence leak);
in their queues but without the right, 403. Being in the same team is not enough: an agent
never acts on a colleague's customer.
"""

from __future__ import annotations

from typing import Any, Literal

from core.auth.portal import Principal
from core.errors import forbidden

Standing = Literal["assigned", "supervisor"]


def is_assigned(who: Principal, doc: dict[str, Any]) -> bool:
    agent = doc.get("agent_id")
    return agent is not None and agent == who.user_id


def require_actor(who: Principal, doc: dict[str, Any], *, act: str, supervise: str) -> Standing:
    """How the caller may act on the session ("assigned" or "supervisor"), else 404 / 403."""
    if is_assigned(who, doc):
        who.require(act)
        return "assigned"
    who.require_queue(doc.get("queue_id"))
    if not who.has(supervise):
        raise forbidden(
            f"only the session's assigned agent, or a user with {supervise!r} whose teams "
            "cover its queue, may act on it"
        )
    return "supervisor"
