"""The Twilio stand-in speaks Twilio's wire format (checked with the official client)."""

from __future__ import annotations

import re

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

from emulators.standins.twilio_server import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_AUTH_TOKEN,
    expected_media,
    second_marker,
)

AUTH = (DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)
CONF = "CF" + "c" * 32


def api(handle, rest: str) -> str:
    return f"{handle.url}/2010-04-01/Accounts/{DEFAULT_ACCOUNT_SID}/{rest}"


def markers(media: bytes) -> list[int]:
    return [int(m) for m in re.findall(rb"SEC:(\d{6})\|", media)]


def test_auth_is_required(twilio):
    r = requests.get(api(twilio, "Calls.json"))
    assert r.status_code == 401
    assert r.json()["code"] == 20003
    r = requests.get(api(twilio, "Calls.json"), auth=(DEFAULT_ACCOUNT_SID, "wrong"))
    assert r.status_code == 401
    other = f"{twilio.url}/2010-04-01/Accounts/AC{'1' * 32}/Calls.json"
    assert requests.get(other, auth=AUTH).status_code == 404


def test_call_end_sends_signed_status_callback(twilio, twilio_client, receiver):
    call = twilio_client.calls.create(
        to="+15551230000",
        from_="+15005550006",
        twiml="<Response><Pause/></Response>",
        status_callback=receiver.url + "?session=s1",
    )
    assert call.status == "queued" and call.sid.startswith("CA")
    requests.post(
        f"{twilio.url}/_control/calls", json={"sid": call.sid, "status": "in-progress"}
    ).raise_for_status()
    ended = twilio_client.calls(call.sid).update(status="completed")
    assert ended.status == "completed"
    log = requests.get(f"{twilio.url}/_control/callbacks", params={"wait": 5}).json()
    assert log["idle"]
    got = receiver.calls[-1]
    form = got["form"]
    assert form["CallSid"] == call.sid and form["CallStatus"] == "completed"
    assert form["AccountSid"] == DEFAULT_ACCOUNT_SID
    assert form["Direction"] == "outbound-api" and "CallDuration" in form
    assert {"From", "To", "Timestamp", "SequenceNumber"} <= set(form)
    validator = RequestValidator(DEFAULT_AUTH_TOKEN)
    assert validator.validate(receiver.url + "?session=s1", form, got["signature"])
    assert not validator.validate(receiver.url, form, got["signature"])
    assert twilio_client.calls(call.sid).fetch().status == "completed"


def test_send_webhook_is_signed(twilio, receiver):
    params = {"CallSid": "CA" + "1" * 32, "From": "+15551112222", "Digits": "1"}
    r = requests.post(
        f"{twilio.url}/_control/send_webhook", json={"url": receiver.url, "params": params}
    )
    assert r.json()["status"] == 200 and "<Response/>" in r.json()["body"]
    got = receiver.calls[-1]
    assert got["form"] == params
    assert RequestValidator(DEFAULT_AUTH_TOKEN).validate(receiver.url, params, got["signature"])


def test_silent_monitor_participant(twilio, twilio_client):
    agent = requests.post(
        f"{twilio.url}/_control/calls",
        json={"status": "in-progress", "conference_sid": CONF, "label": "agent"},
    ).json()
    conference = twilio_client.conferences(CONF)
    p = conference.participants.create(
        from_="+15005550006",
        to="client:supervisor",
        label="monitor",
        muted=True,
        beep="false",
        start_conference_on_enter=False,
        end_conference_on_exit=False,
    )
    assert p.muted is True and p.label == "monitor" and p.conference_sid == CONF
    labels = {x.label for x in conference.participants.list()}
    assert labels == {"agent", "monitor"}
    paged = conference.participants.list(page_size=1)  # follows next_page_uri
    assert {x.label for x in paged} == {"agent", "monitor"}
    assert conference.participants("monitor").fetch().call_sid == p.call_sid
    assert conference.participants(p.call_sid).update(hold=True).hold is True
    records = requests.get(f"{twilio.url}/_control/conferences/{CONF}/participants").json()
    monitor = next(x for x in records["participants"] if x["label"] == "monitor")
    assert monitor["beep"] == "false" and monitor["muted"] is True
    assert conference.participants("monitor").delete() is True
    assert [x.label for x in conference.participants.list()] == ["agent"]
    assert twilio_client.calls(p.call_sid).fetch().status == "completed"
    assert twilio_client.calls(agent["sid"]).fetch().status == "in-progress"
    with pytest.raises(TwilioRestException) as exc:
        conference.participants("monitor").fetch()
    assert exc.value.status == 404


def test_coaching_needs_call_sid_to_coach(twilio, twilio_client):
    requests.post(f"{twilio.url}/_control/calls", json={"conference_sid": CONF})
    with pytest.raises(TwilioRestException) as exc:
        twilio_client.conferences(CONF).participants.create(
            from_="+15005550006", to="client:coach", coaching=True
        )
    assert exc.value.status == 400


def test_recording_media_is_deterministic_and_ranged(twilio, twilio_client):
    rec = requests.post(
        f"{twilio.url}/_control/recordings",
        json={"call_sid": "CA" + "2" * 32, "seconds": 5, "bytes_per_second": 100},
    ).json()
    sid = rec["sid"]
    meta = twilio_client.recordings(sid).fetch()
    assert meta.duration == "5" and meta.status == "completed"
    assert meta.call_sid == "CA" + "2" * 32
    assert meta.media_url.endswith(f"/Recordings/{sid}")
    full = requests.get(api(twilio, f"Recordings/{sid}.wav"), auth=AUTH)
    assert full.headers["Content-Length"] == "500"
    assert full.content == expected_media(sid, [0, 1, 2, 3, 4], 100)
    assert markers(full.content) == [0, 1, 2, 3, 4]
    assert requests.get(api(twilio, f"Recordings/{sid}"), auth=AUTH).content == full.content
    part = requests.get(
        api(twilio, f"Recordings/{sid}.mp3"), auth=AUTH, headers={"Range": "bytes=150-249"}
    )
    assert part.status_code == 206
    assert part.headers["Content-Range"] == "bytes 150-249/500"
    assert part.content == full.content[150:250]
    assert part.content[50:61] == second_marker(2)
    bad = requests.get(api(twilio, f"Recordings/{sid}"), auth=AUTH, headers={"Range": "bytes=900-"})
    assert bad.status_code == 416


def test_paused_seconds_are_absent_or_silent(twilio, twilio_client):
    call = requests.post(f"{twilio.url}/_control/calls", json={"status": "in-progress"}).json()
    rec = twilio_client.calls(call["sid"]).recordings.create()
    assert rec.status == "in-progress"
    ctl = f"{twilio.url}/_control/recordings/{rec.sid}/advance"
    this = twilio_client.calls(call["sid"]).recordings(rec.sid)

    requests.post(ctl, json={"seconds": 3})
    this.update(status="paused", pause_behavior="skip")
    requests.post(ctl, json={"seconds": 2})
    this.update(status="in-progress")
    requests.post(ctl, json={"seconds": 2})
    twilio_client.calls(call["sid"]).recordings("Twilio.CURRENT").update(
        status="paused", pause_behavior="silence"
    )
    requests.post(ctl, json={"seconds": 1})
    this.update(status="in-progress")
    requests.post(ctl, json={"seconds": 1})
    twilio_client.calls(call["sid"]).update(status="completed")

    meta = twilio_client.recordings(rec.sid).fetch()
    assert meta.status == "completed" and meta.duration == "7"
    bps = 16000
    media = requests.get(api(twilio, f"Recordings/{rec.sid}.wav"), auth=AUTH).content
    assert len(media) == 7 * bps
    assert markers(media) == [0, 1, 2, 5, 6, 8]
    assert media[5 * bps : 6 * bps] == bytes(bps)
    assert media == expected_media(rec.sid, [0, 1, 2, 5, 6, None, 8], bps)


def test_delete_recording(twilio, twilio_client):
    rec = requests.post(
        f"{twilio.url}/_control/recordings", json={"call_sid": "CA" + "3" * 32, "seconds": 1}
    ).json()
    assert twilio_client.recordings(rec["sid"]).delete() is True
    assert requests.get(api(twilio, f"Recordings/{rec['sid']}.json"), auth=AUTH).status_code == 404
    assert requests.get(api(twilio, f"Recordings/{rec['sid']}"), auth=AUTH).status_code == 404
    deletions = requests.get(f"{twilio.url}/_control/deletions").json()["deletions"]
    assert [d["sid"] for d in deletions] == [rec["sid"]]


def test_sms_is_stored(twilio, twilio_client):
    msg = twilio_client.messages.create(to="+15557654321", from_="+15005550006", body="hi agent")
    assert msg.sid.startswith("SM") and msg.status == "queued"
    stored = requests.get(f"{twilio.url}/_control/messages").json()["messages"]
    assert stored[0]["body"] == "hi agent" and stored[0]["to"] == "+15557654321"


def test_fault_queue_order_and_drop_ack(twilio, twilio_client):
    requests.post(
        f"{twilio.url}/_control/faults",
        json={
            "route": "calls",
            "faults": [
                {"kind": "status", "status": 429, "retry_after": 2},
                {"kind": "status", "status": 503},
            ],
        },
    ).raise_for_status()
    r1 = requests.get(api(twilio, "Calls.json"), auth=AUTH)
    assert r1.status_code == 429 and r1.headers["Retry-After"] == "2"
    assert r1.json()["code"] == 20429
    r2 = requests.get(api(twilio, "Calls.json"), auth=AUTH)
    assert r2.status_code == 503 and "Retry-After" not in r2.headers
    assert requests.get(api(twilio, "Calls.json"), auth=AUTH).status_code == 200

    requests.post(f"{twilio.url}/_control/calls", json={"conference_sid": CONF})
    requests.post(
        f"{twilio.url}/_control/faults",
        json={"route": "participants", "method": "POST", "faults": [{"kind": "drop_ack"}]},
    )
    with pytest.raises(TwilioRestException) as exc:
        twilio_client.conferences(CONF).participants.create(
            from_="+15005550006", to="client:sup", label="monitor", muted=True
        )
    assert exc.value.status == 500
    assert twilio_client.conferences(CONF).participants("monitor").fetch().muted is True
    injected = requests.get(f"{twilio.url}/_control/faults").json()["injected"]
    assert [f["kind"] for f in injected] == ["status", "status", "drop_ack"]
