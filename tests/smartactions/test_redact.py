"""Redact: pause / resume of the call recording at the carrier (Twilio stand-in).

The recordings pipeline (CRM delivery) is not in the tree yet, so the end-to-end check
stops at the carrier: the media the carrier serves for delivery has no second of the
paused span (every second of stand-in media opens with a SEC:nnnnnn| marker), and the span
is on the session for that pipeline to check against.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from tests.helpers.smartactions import bearer, events_of, start_sdk_call


def _live_call(
    suite: Any,
    sdk_identifier: str,
    portal_token: Callable[[str], str],
    app_client: Callable[[str], Any],
) -> tuple[str, str]:
    """A mobile SDK call, its carrier leg in progress with a recording, assigned to alex.
    Returns (session id, recording sid)."""
    from core import carrier
    from core.auth.sdk_jwt import issue
    from core.sessions import store

    session_id, call_sid = start_sdk_call(suite, app_client, issue(sdk_identifier))
    assert store.get(session_id)["carrier"]["call_sid"] == call_sid
    r = app_client("sessions_http").post(
        f"/agent/sessions/{session_id}/assign",
        json={"agent_id": "alex"},
        headers=bearer(portal_token("router")),  # routing assigns
    )
    assert r.status_code == 200, r.get_json()
    rec = carrier.twilio().calls(call_sid).recordings.create()
    return session_id, rec.sid


def _advance(suite: Any, rec_sid: str, seconds: int) -> None:
    r = requests.post(
        f"{suite.url('twilio')}/_control/recordings/{rec_sid}/advance",
        json={"seconds": seconds},
        timeout=10,
    )
    assert r.status_code == 200, r.text


def test_paused_span_is_absent_from_the_recording(
    sa: Any,
    suite: Any,
    demo: Any,
    portal_token: Callable[[str], str],
    app_client: Callable[[str], Any],
) -> None:
    from core import carrier
    from core.sessions import store

    call_sid, rec_sid = _live_call(suite, "caller-1", portal_token, app_client)
    alex = bearer(portal_token("alex"))

    def redact(action: str) -> Any:
        return sa.post(f"/agent/sessions/{call_sid}/redact", json={"action": action}, headers=alex)

    assert redact("resume").status_code == 409  # nothing to resume yet
    _advance(suite, rec_sid, 3)  # seconds 0-2 recorded
    r = redact("pause")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["recording"]["state"] == "paused"
    assert redact("pause").get_json()["error"]["code"] == "already_paused"
    _advance(suite, rec_sid, 4)  # seconds 3-6: card number read out
    r = redact("resume")
    assert r.status_code == 200 and r.get_json()["recording"]["state"] == "recording"
    _advance(suite, rec_sid, 2)  # seconds 7-8 recorded
    requests.post(f"{suite.url('twilio')}/_control/recordings/{rec_sid}/complete", timeout=10)

    spans = store.get(call_sid)["redactions"]
    assert len(spans) == 1
    span = spans[0]
    assert span["recording_sid"] == rec_sid
    assert span["call_sid"] == store.get(call_sid)["carrier"]["call_sid"]  # the SDK's leg
    assert span["paused_by"] == "alex" and span["resumed_by"] == "alex"
    assert span["resumed_at"] >= span["paused_at"]
    assert [e["type"] for e in events_of(call_sid) if e["type"].startswith("recording.")] == [
        "recording.paused",
        "recording.resumed",
    ]

    media = requests.get(
        carrier.api_url(f"Recordings/{rec_sid}.wav"), auth=carrier.basic_auth(), timeout=10
    ).content
    present = [k for k in range(12) if b"SEC:%06d|" % k in media]
    assert present == [0, 1, 2, 7, 8]


def test_redact_authorization_and_refusals(
    sa: Any,
    suite: Any,
    demo: Any,
    portal_token: Callable[[str], str],
    app_client: Callable[[str], Any],
    live_session: Callable[..., str],
) -> None:
    call_sid, rec_sid = _live_call(suite, "caller-2", portal_token, app_client)
    url = f"/agent/sessions/{call_sid}/redact"
    r = sa.post(url, json={"action": "pause"}, headers=bearer(portal_token("bea")))
    assert r.status_code == 404  # another team's call does not exist for bea
    r = sa.post(url, json={"action": "mute"}, headers=bearer(portal_token("alex")))
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "action"
    r = sa.post(url, json={"action": "pause", "why": "x"}, headers=bearer(portal_token("alex")))
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "why"
    # The recording already stopped at the carrier: refused, and nothing recorded.
    requests.post(f"{suite.url('twilio')}/_control/recordings/{rec_sid}/complete", timeout=10)
    r = sa.post(url, json={"action": "pause"}, headers=bearer(portal_token("alex")))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "no_active_recording"
    from core.sessions import store

    assert not store.get(call_sid).get("redactions")
    chat = live_session("chatter")  # a chat has no call to redact
    r = sa.post(
        f"/agent/sessions/{chat}/redact",
        json={"action": "pause"},
        headers=bearer(portal_token("alex")),
    )
    assert r.status_code == 409 and r.get_json()["error"]["field"] == "channel"
    assert "mobile SDK chat" in r.get_json()["error"]["message"]
