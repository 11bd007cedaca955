"""Sessions store: carrier status callbacks (signed), events published once per change."""

from __future__ import annotations

import json
import secrets
import threading
from urllib.parse import urlencode

import pytest

from tests.helpers.common import pull_all, twilio_signed

PUBLIC = "https://sessions.example.test"


def call_sid() -> str:
    return "CA" + secrets.token_hex(16)


def post_status(client, params: dict[str, str], *, signature: dict[str, str] | None = None):
    url = f"{PUBLIC}/twilio/call-status"
    headers = twilio_signed(url, params) if signature is None else signature
    return client.post(
        "/twilio/call-status",
        data=urlencode(params),
        headers=headers,
        content_type="application/x-www-form-urlencoded",
    )


def test_status_callback_good_and_bad_signature(suite, demo, app_client, subscribe) -> None:
    from core.sessions import store

    sub = subscribe("session-events")
    client = app_client("sessions_http", PUBLIC)
    sid = call_sid()
    params = {
        "CallSid": sid,
        "CallStatus": "ringing",
        "AccountSid": "AC" + "0" * 32,
        "From": "+14155550123",
        "To": "+18005550000",
        "Direction": "inbound",
    }

    forged = post_status(client, params, signature={"X-Twilio-Signature": "Zm9yZ2Vk"})
    assert forged.status_code == 403
    assert forged.get_json()["error"]["field"] == "X-Twilio-Signature"
    assert store.get(sid) is None
    # Signed for another URL (a replay against a different endpoint) is refused too.
    other = twilio_signed("https://evil.example/twilio/call-status", params)
    assert post_status(client, params, signature=other).status_code == 403
    # Tampering with a parameter after signing breaks the signature.
    headers = twilio_signed(f"{PUBLIC}/twilio/call-status", params)
    assert (
        post_status(client, params | {"CallStatus": "completed"}, signature=headers).status_code
        == 403
    )

    assert post_status(client, params).status_code == 204
    doc = store.get(sid)
    assert doc["status"] == "queued" and doc["channel"] == "voice"
    assert doc["end_user"]["phone"] == "+14155550123"

    done = params | {"CallStatus": "completed", "CallDuration": "42"}
    assert post_status(client, done).status_code == 204
    assert post_status(client, done).status_code == 204  # carrier retry: same change
    # An out-of-order "ringing" after completion changes nothing.
    assert post_status(client, params).status_code == 204
    doc = store.get(sid)
    assert doc["status"] == "ended" and doc["carrier"]["duration"] == "42"

    msgs = pull_all(suite, sub, timeout=6, expect=2)
    events = [json.loads(m.data) for m in msgs]
    transitions = [(e["data"]["from"], e["data"]["to"]) for e in events]
    assert sorted(transitions, key=str) == sorted([(None, "queued"), ("queued", "ended")], key=str)
    assert len({m.attributes["event_id"] for m in msgs}) == 2
    assert all(m.attributes["session_id"] == sid for m in msgs)


def test_bad_callback_input_is_a_400_naming_the_field(suite, demo, app_client) -> None:
    client = app_client("sessions_http", PUBLIC)
    r = post_status(client, {"CallSid": "nope", "CallStatus": "ringing"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "CallSid"
    r = post_status(client, {"CallSid": call_sid(), "CallStatus": "exploded"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "CallStatus"


def test_concurrent_duplicate_callbacks_publish_once(suite, demo, subscribe) -> None:
    """Racing deliveries of the same change: one state change, one event."""
    from concurrent.futures import ThreadPoolExecutor

    from core.sessions import store

    sub = subscribe("session-events")
    sid = call_sid()
    store.ensure(sid, "queued", {"channel": "voice"})
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: store.transition(sid, "ended")[1], range(10)))
    assert results.count(True) == 1
    msgs = pull_all(suite, sub, timeout=5, expect=2)
    ended = [m for m in msgs if json.loads(m.data)["data"]["to"] == "ended"]
    assert len(ended) == 1


@pytest.mark.parametrize("known_keys", [False, True], ids=["read-after", "read-with-session"])
def test_a_replayed_change_whose_event_exists_stages_nothing(suite, demo, known_keys) -> None:
    """The outbox event is read in the change's transaction (after the session, or with
    it when the caller names the key beforehand): a replayed change finds it, so the
    session keeps the first write, the first event is kept, nothing new is staged."""
    from core.sessions import events, store

    sid = call_sid()
    store.ensure(sid, "queued", {"channel": "voice"})
    key = f"{sid}:test:replayed"
    keys = [key] if known_keys else []

    def change(note: str) -> store.Mutator:
        def mut(cur: dict | None) -> tuple[dict | None, list]:
            assert cur is not None
            return cur | {"note": note}, [("test.changed", {"note": note}, key)]

        return mut

    doc, staged = store.mutate(sid, change("first"), event_keys=keys)
    assert doc["note"] == "first" and len(staged) == 1
    first_id = staged[0].event_id
    _, staged = store.mutate(sid, change("second"), event_keys=keys)
    assert staged == []
    assert store.get(sid)["note"] == "first"
    kept = events.ref(first_id).get().to_dict()
    assert kept["data"] == {"note": "first"}


def test_known_event_keys_are_read_in_the_sessions_round_trip(suite, demo, monkeypatch) -> None:
    from core import clients
    from core.sessions import store

    sid = call_sid()
    store.ensure(sid, "queued", {"channel": "voice"})
    api = clients.firestore()._firestore_api
    reads: list[int] = []
    real = api.batch_get_documents

    me = threading.get_ident()

    def counting(*a, **k):
        # Only this thread's reads: a flag writer left by an earlier test shares the client.
        if threading.get_ident() == me:
            reads.append(len((k.get("request") or {}).get("documents", [])))
        return real(*a, **k)

    monkeypatch.setattr(api, "batch_get_documents", counting)

    def mut(note: str, key: str) -> store.Mutator:
        return lambda cur: (cur | {"note": note}, [("test.changed", {"note": note}, key)])

    store.mutate(sid, mut("a", f"{sid}:a"))
    # The session, then its event (again, if the emulator aborted the commit).
    assert reads[:2] == [1, 1] and set(reads) == {1}
    reads.clear()
    store.mutate(sid, mut("b", f"{sid}:b"), event_keys=[f"{sid}:b"])
    # Both in one batch get, once per attempt: never the event alone.
    assert reads and set(reads) == {2}


def test_published_flags_of_unawaited_publishes_are_written_together(
    suite, demo, monkeypatch
) -> None:
    """publish(wait=False) leaves the flags to one writer that gathers them for
    FLAG_LINGER_SECONDS: five publishes in a row, one flag commit, every event flagged."""
    import time

    from core.sessions import events

    commits: list[list[str]] = []
    real = events._flag_published
    monkeypatch.setattr(events, "_flag_published", lambda ids: (commits.append(ids), real(ids)))
    # A longer window than in service: five acks from a loaded emulator may spread over
    # more than 0.1 s, and that is timing, not the gathering this test is about.
    monkeypatch.setattr(events, "FLAG_LINGER_SECONDS", 1.0)
    evs = []
    for i in range(5):
        sid, key = call_sid(), f"test:flags:{i}:{secrets.token_hex(4)}"
        ev = events.Event(events.event_id_for(key), sid, "test.flagged", {"i": i}, time.time())
        events.ref(ev.event_id).set(events.outbox_doc(ev, key))
        evs.append(ev)
    for ev in evs:
        events.publish([ev], wait=False)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        docs = [events.ref(ev.event_id).get().to_dict() for ev in evs]
        if all(d["published"] for d in docs):
            break
        time.sleep(0.05)
    assert all(d["published"] for d in docs), docs
    # Only this test's events: the writer is shared by the process, so an earlier test's
    # pending flags may be committed meanwhile, or gathered into the same commit as ours.
    ours = {ev.event_id for ev in evs}
    commits = [c for c in commits if ours & set(c)]
    assert sorted(i for c in commits for i in c if i in ours) == sorted(ours)
    assert len(commits) == 1, commits


def test_an_event_gone_before_its_flag_leaves_the_others_flagged(suite, demo) -> None:
    """A published flag for an event deleted meanwhile (its TTL, a purge) fails its
    commit; the flags of the other events in that commit are still written, and the
    gone event is not written back."""
    import time

    from core.sessions import events

    evs = []
    for i in range(4):
        sid, key = call_sid(), f"test:gone:{i}:{secrets.token_hex(4)}"
        ev = events.Event(events.event_id_for(key), sid, "test.flagged", {"i": i}, time.time())
        events.ref(ev.event_id).set(events.outbox_doc(ev, key))
        evs.append(ev)
    events.ref(evs[1].event_id).delete()
    events._flag_published([ev.event_id for ev in evs])
    docs = {ev.event_id: events.ref(ev.event_id).get() for ev in evs}
    assert not docs[evs[1].event_id].exists
    for ev in (evs[0], evs[2], evs[3]):
        assert docs[ev.event_id].get("published") is True, ev.event_id


def test_outbox_publishes_what_a_crash_left(suite, demo, subscribe, monkeypatch) -> None:
    from core.sessions import events, store

    sub = subscribe("session-events")
    sid = call_sid()
    monkeypatch.setattr(events, "publish", lambda evs, wait=True: None)  # "crash" first
    store.ensure(sid, "queued", {"channel": "voice"})
    monkeypatch.undo()
    assert pull_all(suite, sub, timeout=1.5) == []
    assert events.flush_outbox(older_than_seconds=0) == 1
    assert events.flush_outbox(older_than_seconds=0) == 0
    msgs = pull_all(suite, sub, timeout=4, expect=1)
    assert len(msgs) == 1 and msgs[0].attributes["session_id"] == sid


def test_the_session_shape_is_written_down_once() -> None:
    """new_session creates exactly the fields of the typed model; a field no capability
    declared in core/sessions/model.py is refused."""
    import pytest

    from core.sessions.model import Session, declared_fields, new_session

    doc = new_session("CA" + "0" * 32, "voice", "queued", 1.0, queue_id="q")
    assert set(doc) == set(Session.__annotations__)
    assert set(Session.__annotations__) < declared_fields()
    with pytest.raises(ValueError, match="not session fields"):
        new_session("x", "chat", "queued", 1.0, mood="cheerful")


def test_many_writers_on_one_session_lose_nothing_and_wait_on_no_lock(suite, demo) -> None:
    """Eight writers, five changes each, on one session: every change lands exactly once
    with its one event. The changes are optimistic (no lock is held between read and
    commit), so the race takes a few seconds; as transactions that read and then write the
    same document they deadlocked on the emulator's locks, two seconds per round."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from core.sessions import events, store

    sid = call_sid()
    store.ensure(sid, "queued", {"channel": "voice"})

    def change(note: str) -> bool:
        def mut(cur: dict | None) -> tuple[dict | None, list]:
            assert cur is not None
            notes = [*cur.get("notes", []), note]
            return cur | {"notes": notes}, [("test.noted", {"note": note}, f"{sid}:{note}")]

        return bool(store.mutate(sid, mut)[1])

    notes = [f"w{w}-{i}" for w in range(8) for i in range(5)]
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        staged = list(pool.map(change, notes))
    took = time.monotonic() - started
    assert all(staged)
    assert sorted(store.get(sid)["notes"]) == sorted(notes)
    for note in notes:
        ev = events.ref(events.event_id_for(f"{sid}:{note}")).get().to_dict()
        assert ev["data"] == {"note": note}
    assert took < 20, f"40 contended changes took {took:.1f} s"


def test_a_field_the_change_drops_is_removed_and_a_missing_session_is_created(suite, demo) -> None:
    """The conditional replacement deletes the fields a mutator dropped (as a set would),
    and a session created concurrently by two writers exists once."""
    from concurrent.futures import ThreadPoolExecutor

    from core.sessions import store

    sid = call_sid()
    store.ensure(sid, "queued", {"channel": "voice"})
    store.set_fields(sid, {"scratch": {"a": 1}, "odd.key": 2})
    assert store.get(sid)["odd.key"] == 2 and store.get(sid)["scratch"] == {"a": 1}

    def drop(cur: dict | None) -> tuple[dict | None, list]:
        assert cur is not None
        return {k: v for k, v in cur.items() if k not in ("scratch", "odd.key")}, []

    store.mutate(sid, drop)
    assert "scratch" not in store.get(sid) and "odd.key" not in store.get(sid)

    fresh = call_sid()
    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda _: store.ensure(fresh, "queued", {})[1], range(4)))
    assert made.count(True) == 1 and store.get(fresh)["status"] == "queued"
