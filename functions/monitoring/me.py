"""GET /me: who the signed-in caller is and what they may do, for the web console.

The console offers only the actions these permissions allow (the API still checks every
action on every object); queues come with their time zone so times can be shown in the
queue's zone as well as the viewer's.
"""

from __future__ import annotations

from typing import Any

import flask

from core.auth import portal
from core.config.store import get_view


def me(request: flask.Request) -> dict[str, Any]:
    who = portal.authenticate(request)  # any signed-in user: no permission needed
    view = get_view()
    queue_ids = view.queues if who.all_queues else who.team_queues
    queues = []
    for qid in sorted(queue_ids, key=lambda q: view.queues[q].path if q in view.queues else q):
        node = view.queue(qid)
        if node is None:
            continue
        queues.append(
            {
                "id": qid,
                "path": node.path,
                "time_zone": view.timezone_of(view.hours_id(qid, "voice", None)[0]),
            }
        )
    teams = view.cfg.teams
    visible_teams = teams if who.all_queues else {t: teams[t] for t in who.teams if t in teams}
    return {
        "user": {
            "id": who.user_id,
            "name": who.name,
            "kind": who.kind,
            "roles": [
                {"id": r, "name": view.roles[r].name or r}
                for r in sorted(who.roles)
                if r in view.roles
            ],
            "permissions": sorted(who.permissions),
            # Held only through a role that needs a second factor this sign-in did not use.
            "needs_second_factor_for": sorted(who.withheld),
            "teams": [
                {"id": t, "name": teams[t].name or t} for t in sorted(who.teams) if t in teams
            ],
            "all_queues": who.all_queues,
        },
        "teams": [{"id": t, "name": team.name or t} for t, team in sorted(visible_teams.items())],
        "queues": queues,
        "center_time_zone": view.center.timezone,
    }
