"""Who acts on a customer's session: its assigned agent, or a supervisory user of its team.

An agent of the same team who is not assigned may not ask the customer for anything, read
what the customer shared (photos with read URLs, attachments) or pause the recording; a
supervisor of the team may (smartactions.supervise); anyone of another team finds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.helpers.smartactions import bearer, png_bytes
from tests.hostile.seeds import center_with_colleagues
from tests.smartactions.test_redact import _live_call


def _center(apply_config: Callable[..., Any]) -> None:
    data = center_with_colleagues()
    # A custom role holding only the agent's permission: not enough on others' sessions.
    data["roles"]["team-lead"] = {
        "name": "Team lead",
        "permissions": ["smartactions.request", "monitor"],
        "scope": "teams",
    }
    data["users"]["tara"] = {"name": "Tara Lead", "roles": ["team-lead"], "teams": ["billing-team"]}
    apply_config(data)


def test_agents_act_only_on_their_own_customers(
    sa: Any,
    apply_config: Callable[..., Any],
    live_session: Callable[..., str],
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
) -> None:
    _center(apply_config)
    sid = live_session("cust-acc")  # billing queue, assigned to alex
    base = f"/agent/sessions/{sid}"
    r = sa.post(
        f"{base}/smartactions", json={"kind": "photo"}, headers=bearer(portal_token("alex"))
    )
    assert r.status_code == 201, r.get_json()
    rid = r.get_json()["request"]["id"]
    r = sa.post(
        f"/sdk/sessions/{sid}/smartactions/{rid}/media",
        data=png_bytes(),
        headers=bearer(sdk_token("cust-acc")),
    )
    assert r.status_code == 201, r.get_json()

    reads = (f"{base}/smartactions", f"{base}/smartactions/{rid}", f"{base}/attachments")
    for user, status in (("cleo", 403), ("tara", 403), ("sam", 404), ("bea", 404)):
        who = bearer(portal_token(user))
        r = sa.post(f"{base}/smartactions", json={"kind": "photo"}, headers=who)
        assert r.status_code == status, (user, r.get_json())
        for path in reads:
            r = sa.get(path, headers=who)
            assert r.status_code == status, (user, path, r.get_json())
            assert "url" not in r.get_data(as_text=True)

    # The team's supervisor sees the customer's photo and may ask for more.
    stan = bearer(portal_token("stan"))
    got = sa.get(f"{base}/smartactions/{rid}", headers=stan).get_json()["request"]
    assert len(got["media"]) == 1 and got["media"][0]["url"]
    r = sa.post(f"{base}/smartactions", json={"kind": "video"}, headers=stan)
    assert r.status_code == 201 and r.get_json()["request"]["requested_by"] == "stan"
    assert sa.get(f"{base}/attachments", headers=stan).status_code == 200


def test_only_the_assigned_agent_or_a_team_supervisor_redacts(
    sa: Any,
    suite: Any,
    apply_config: Callable[..., Any],
    portal_token: Callable[[str], str],
    app_client: Callable[[str], Any],
) -> None:
    from core.sessions import store

    _center(apply_config)
    call_sid, _ = _live_call(suite, "caller-acc", portal_token, app_client)  # alex's call
    url = f"/agent/sessions/{call_sid}/redact"
    for user, status in (("cleo", 403), ("tara", 403), ("sam", 404), ("bea", 404)):
        r = sa.post(url, json={"action": "pause"}, headers=bearer(portal_token(user)))
        assert r.status_code == status, (user, r.get_json())
    assert not store.get(call_sid).get("redactions")  # nobody of them paused anything

    r = sa.post(url, json={"action": "pause"}, headers=bearer(portal_token("stan")))
    assert r.status_code == 200, r.get_json()
    r = sa.post(url, json={"action": "resume"}, headers=bearer(portal_token("cleo")))
    assert r.status_code == 403
    r = sa.post(url, json={"action": "resume"}, headers=bearer(portal_token("alex")))
    assert r.status_code == 200, r.get_json()
    [span] = store.get(call_sid)["redactions"]
    assert (span["paused_by"], span["resumed_by"]) == ("stan", "alex")
