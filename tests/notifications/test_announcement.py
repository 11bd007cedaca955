"""On assignment: whisper (each type), countdown, tone and repeat plan, playable forms,
and whisper + countdown counted in the session's wait time (once)."""

from __future__ import annotations

import io
import json
import wave
from urllib.parse import urlsplit

from tests.helpers.notifications import (
    PUBLIC,
    cloud_event_of,
    connected_event,
    mp3_frames,
    mp3_seconds,
    queued_call,
)


def _assign(app_client, auth, sid: str, agent: str = "alex") -> None:
    sessions = app_client("sessions_http", PUBLIC)
    r = sessions.post(
        f"/agent/sessions/{sid}/assign",
        data=json.dumps({"agent_id": agent}),
        content_type="application/json",
        headers=auth("router"),  # routing assigns
    )
    assert r.status_code == 200, r.get_json()


def _announce(suite, app_client, auth, subscribe, sid: str, agent: str = "alex") -> dict:
    """Assign for real, take the published event off the topic, deliver it twice."""
    from notifications import on_event

    sub = subscribe("session-events")
    _assign(app_client, auth, sid, agent)
    ev = cloud_event_of(connected_event(suite, sub, sid))
    on_event.handle(ev)
    on_event.handle(ev)  # a redelivery changes nothing
    return on_event.stored(sid)


def _patch(client, auth, qid: str, body: dict) -> None:
    r = client.patch(
        f"/notifications/queues/{qid}/settings",
        data=json.dumps(body),
        content_type="application/json",
        headers=auth("ada"),
    )
    assert r.status_code == 200, r.get_json()


def _wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as w:
        return w.getnframes() / w.getframerate()


def test_wait_time_includes_whisper_and_countdown(
    suite, tree, app_client, auth, subscribe, client
) -> None:
    from core import tts
    from core.sessions import store

    sid = queued_call("dsl", "Support > Internet > DSL")
    ann = _announce(suite, app_client, auth, subscribe, sid)
    # DSL: tts text from Internet, speed from Support, countdown from the center.
    assert ann["whisper"]["type"] == "tts" and ann["whisper"]["text"] == "Internet outage line"
    assert ann["whisper"]["speed"] == 1.5
    assert ann["countdown"]["text"] == "This is your next call. Starting in 3, 2, 1"
    expected_w = tts.render("Internet outage line", "en-US", speed=1.5).duration_seconds
    expected_c = tts.render("This is your next call. Starting in 3, 2, 1", "en-US").duration_seconds
    assert ann["metrics"]["whisper_seconds"] == expected_w > 0.3
    assert ann["metrics"]["countdown_seconds"] == expected_c > 0.5
    assert ann["tones"]["incoming_call"]["id"] == "digital"
    assert ann["repeat"] == {"mode": "repeat", "every_seconds": 10, "until": "answered"}

    doc = store.get(sid)
    m = doc["metrics"]
    queue_wait = doc["connected_at"] - doc["queued_at"]
    assert m["whisper_seconds"] == expected_w and m["countdown_seconds"] == expected_c
    assert abs(m["wait_seconds"] - (queue_wait + expected_w + expected_c)) < 0.01

    # The agent adapter's forms: JSON with playable URLs, and TwiML for the agent leg.
    r = client.get(f"/agent/sessions/{sid}/announcement", headers=auth("alex"))
    assert r.status_code == 200, r.get_json()
    play = r.get_json()["announcement"]
    whisper_audio = client.get(
        urlsplit(play["whisper"]["url"]).path, query_string=urlsplit(play["whisper"]["url"]).query
    )
    assert whisper_audio.status_code == 200
    assert abs(_wav_seconds(whisper_audio.data) - expected_w) < 0.01  # measured, not guessed
    assert [p["duration_seconds"] for p in play["sequence"]] == [expected_w, expected_c]
    r = client.get(f"/agent/sessions/{sid}/announcement?format=twiml", headers=auth("alex"))
    assert r.mimetype == "text/xml"
    xml = r.data.decode()
    assert xml.count("<Play>") == 2 and xml.index("Play") < xml.rindex("Play")
    assert play["whisper"]["url"].split("?")[0] in xml.replace("&amp;", "&")
    # The carrier fetches the same TwiML for the agent leg, signed; unsigned is refused.
    from tests.helpers.common import twilio_signed

    url = f"{PUBLIC}/twilio/agent-announcement/{sid}"
    params = {"CallSid": "CA" + "1" * 32, "AccountSid": "AC" + "0" * 32}
    r = client.post(
        f"/twilio/agent-announcement/{sid}", data=params, headers=twilio_signed(url, params)
    )
    assert r.status_code == 200 and r.data.decode().count("<Play>") == 2
    r = client.post(f"/twilio/agent-announcement/{sid}", data=params)
    assert r.status_code == 403
    # Another agent of another queue cannot read it.
    assert client.get(f"/agent/sessions/{sid}/announcement", headers=auth("nia")).status_code == 404


def test_each_whisper_type(suite, tree, app_client, auth, subscribe, client) -> None:
    from core import tts

    # queue_name: "{call type} from {queue name}" (Sales has no overrides).
    sid = queued_call("sales", "Sales")
    ann = _announce(suite, app_client, auth, subscribe, sid, agent="ada")
    assert ann["whisper"]["type"] == "queue_name"
    assert ann["whisper"]["text"] == "Incoming call from Sales"
    assert (
        ann["whisper"]["duration_seconds"]
        == tts.render("Incoming call from Sales", "en-US").duration_seconds
    )
    assert ann["tones"]["incoming_call"]["id"] == "classic-ring"
    assert ann["repeat"] == {"mode": "once"}

    # audio: an uploaded clip, played as is; its duration counts.
    data = mp3_frames(60)
    r = client.post(
        "/notifications/whisper-clips?name=vip",
        data=data,
        content_type="audio/mpeg",
        headers=auth("ada"),
    )
    assert r.status_code == 201, r.get_json()
    clip = r.get_json()["whisper"]
    _patch(client, auth, "fiber", {"calls": {"whisper": {"type": "audio", "audio": clip["id"]}}})
    sid = queued_call("fiber", "Support > Internet > Fiber")
    ann = _announce(suite, app_client, auth, subscribe, sid)
    assert ann["whisper"]["type"] == "audio" and ann["whisper"]["clip_id"] == clip["id"]
    assert ann["metrics"]["whisper_seconds"] == mp3_seconds(60)
    assert ann["countdown"] is None and ann["metrics"]["countdown_seconds"] == 0
    play = client.get(f"/agent/sessions/{sid}/announcement", headers=auth("alex")).get_json()[
        "announcement"
    ]
    u = urlsplit(play["whisper"]["url"])
    assert client.get(u.path, query_string=u.query).data == data

    # Whisper off: nothing is played, nothing added; the tone plan remains.
    _patch(
        client,
        auth,
        "dsl",
        {"calls": {"whisper": {"enabled": False}, "countdown": {"enabled": False}}},
    )
    sid = queued_call("dsl", "Support > Internet > DSL")
    ann = _announce(suite, app_client, auth, subscribe, sid)
    assert ann["whisper"] is None and ann["countdown"] is None
    assert ann["metrics"]["added_wait_seconds"] == 0
    assert ann["tones"]["incoming_call"]["id"] == "digital"
    r = client.get(f"/agent/sessions/{sid}/announcement?format=twiml", headers=auth("alex"))
    assert "<Play>" not in r.data.decode()


def test_speed_changes_the_rendered_duration(
    suite, tree, app_client, auth, subscribe, client
) -> None:
    durations = {}
    for speed in (0.5, 2.0):
        _patch(client, auth, "dsl", {"calls": {"whisper": {"speed": speed}}})
        sid = queued_call("dsl", "Support > Internet > DSL")
        ann = _announce(suite, app_client, auth, subscribe, sid)
        assert ann["whisper"]["speed"] == speed
        durations[speed] = ann["metrics"]["whisper_seconds"]
    assert durations[0.5] > 2.5 * durations[2.0]


def test_chat_assignment_plans_tones_only(
    suite, tree, app_client, auth, subscribe, sdk_token
) -> None:
    chats = app_client("sessions_http", PUBLIC)
    r = chats.post(
        "/sdk/chats",
        data=json.dumps({"queue_id": "dsl"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {sdk_token('user-1')}"},
    )
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["session"]["id"]
    ann = _announce(suite, app_client, auth, subscribe, sid)
    assert ann["kind"] == "chats" and ann["whisper"] is None and ann["countdown"] is None
    assert {s: t["id"] for s, t in ann["tones"].items()} == {
        "new_chat": "chime",
        "new_message": "pop",
    }
    assert ann["sms"]["status"] == "disabled"


def test_announcement_not_ready_is_a_clean_404(suite, tree, client, auth) -> None:
    sid = queued_call("dsl", "Support > Internet > DSL")
    r = client.get(f"/agent/sessions/{sid}/announcement", headers=auth("ada"))
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_ready"
    r = client.get(f"/agent/sessions/{sid}/announcement?format=mp4", headers=auth("ada"))
    assert r.status_code in (400, 404)
    assert client.get("/agent/sessions/CAnope/announcement", headers=auth("ada")).status_code == 404
