"""The hot path's own encoding of a create is exactly what the Firestore client sends."""

from __future__ import annotations

import datetime
from typing import Any

import pytest


def _ref(path: str) -> Any:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import firestore

    db = firestore.Client(project="demo-encode", credentials=AnonymousCredentials())
    return db.document(path)


def _client_bytes(ref: Any, data: dict[str, Any]) -> bytes:
    from google.cloud.firestore_v1 import _helpers

    (w,) = _helpers.pbs_for_create(ref._document_path, data)
    return type(w).pb(w).SerializeToString(deterministic=True)


def _ours(ref: Any, data: dict[str, Any]) -> bytes:
    from core.firestore_encode import create_write

    w = create_write(ref, data)
    assert w is not None
    return type(w).pb(w).SerializeToString(deterministic=True)


def _mark_docs() -> list[dict[str, Any]]:
    from core.sessions import events
    from core.sessions.marks import Mark

    m = Mark(
        "CA" + "0" * 32,
        "deflected",
        {
            "channel": "voice",
            "queue_id": "billing-refunds",
            "queue_path": "Billing > Refunds",
            "end_user": {"phone": "+15551234567"},
        },
        {"deflection": {"reason": "after_hours", "option": "voicemail"}},
    )
    ev = events.Event("e1", m.session_id, "session.status_changed", m.event_data(), m.at)
    return [m.document(), events.outbox_doc(ev, m.event_key())]


@pytest.mark.parametrize(
    "data",
    [
        *_mark_docs(),
        {
            "none": None,
            "t": True,
            "f": False,
            "zero": 0,
            "big": 2**62,
            "neg": -5,
            "x": 1.5,
            "s": "서울 ☎",
            "empty_map": {},
            "empty_list": [],
            "nested": {"a": [1, "b", {"c": None, "d": [True]}], "dotted.key": 1},
            "tuple": (1, 2),
            "aware": datetime.datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=datetime.UTC),
        },
    ],
)
def test_plain_documents_encode_byte_for_byte(data: dict[str, Any]) -> None:
    ref = _ref("sessions/CA1")
    assert _ours(ref, data) == _client_bytes(ref, data)


@pytest.mark.parametrize(
    "data",
    [
        {"at": datetime.datetime(2026, 1, 1)},  # naive: the client decides what it means
        {"n": 2**64},
        {"b": b"bytes"},
        {"nested": {"when": datetime.datetime(2026, 1, 1)}},
    ],
)
def test_anything_else_is_left_to_the_client(data: dict[str, Any]) -> None:
    from core.firestore_encode import create_write

    assert create_write(_ref("sessions/CA1"), data) is None


def test_add_create_puts_the_write_in_the_batch_as_create_would() -> None:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import firestore

    from core.firestore_encode import add_create

    db = firestore.Client(project="demo-encode", credentials=AnonymousCredentials())
    data = _mark_docs()[0]
    ours, theirs = db.batch(), db.batch()
    add_create(ours, db.document("sessions/CA1"), data)
    theirs.create(db.document("sessions/CA1"), data)
    assert [type(w).pb(w) for w in ours._write_pbs] == [type(w).pb(w) for w in theirs._write_pbs]
    add_create(ours, db.document("sessions/CA2"), {"at": datetime.datetime.now()})
    assert len(ours._write_pbs) == 2


def test_flag_updates_encode_byte_for_byte() -> None:
    import time

    from google.auth.credentials import AnonymousCredentials
    from google.cloud import firestore

    from core import ttl
    from core.firestore_encode import add_updates

    db = firestore.Client(project="demo-encode", credentials=AnonymousCredentials())
    now = time.time()
    flags = {
        "published": True,
        "published_at": now,
        ttl.FIELD: ttl.expire_at(86400, now),
        "when": datetime.datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=datetime.UTC),
    }
    refs = [db.document(f"session_events/e{i}") for i in range(3)]
    ours, theirs = db.batch(), db.batch()
    add_updates(ours, refs, flags)
    for r in refs:
        theirs.update(r, flags)
    assert [type(w).pb(w) for w in ours._write_pbs] == [type(w).pb(w) for w in theirs._write_pbs]
    # A field path that needs quoting, or a naive datetime, is left to the client.
    odd = {"a.b": 1, "naive": datetime.datetime(2026, 1, 1)}
    ours, theirs = db.batch(), db.batch()
    add_updates(ours, refs[:1], odd)
    theirs.update(refs[0], odd)
    assert [type(w).pb(w) for w in ours._write_pbs] == [type(w).pb(w) for w in theirs._write_pbs]


def test_conditional_replacements_encode_byte_for_byte() -> None:
    """A session change (core/sessions/store.py) replaces the document if it is still the
    version read: every field set, the dropped ones deleted, the update time as the
    precondition; exactly the write the client's update with that option makes."""
    from google.api_core.datetime_helpers import DatetimeWithNanoseconds
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import firestore
    from google.cloud.firestore_v1 import DELETE_FIELD
    from google.cloud.firestore_v1.field_path import FieldPath

    from core.firestore_encode import add_replace

    db = firestore.Client(project="demo-encode", credentials=AnonymousCredentials())
    ref = db.document("sessions/CA1")
    # Firestore's update times are whole microseconds (the client drops any nanoseconds
    # when it marshals the precondition; ours keeps them, the same for these).
    seen = DatetimeWithNanoseconds(2026, 11, 27, 1, 2, 3, nanosecond=123456000, tzinfo=datetime.UTC)
    doc = _mark_docs()[0] | {"dotted.key": {"a": 1}, "b`tick": "x", "Zed": [1, 2.5]}
    cases: list[tuple[dict[str, Any], list[str]]] = [
        (doc, []),
        (doc, ["gone", "also.gone", "alpha"]),
        ({"at": datetime.datetime(2026, 1, 1)} | doc, ["gone"]),  # naive: the client's
    ]
    for data, gone in cases:
        ours, theirs = db.batch(), db.batch()
        add_replace(ours, ref, data, gone, seen)
        fields: dict[str, Any] = {FieldPath(k).to_api_repr(): v for k, v in data.items()}
        fields |= {FieldPath(k).to_api_repr(): DELETE_FIELD for k in gone}
        theirs.update(ref, fields, option=db.write_option(last_update_time=seen))
        mine = [type(w).pb(w).SerializeToString(deterministic=True) for w in ours._write_pbs]
        client = [type(w).pb(w).SerializeToString(deterministic=True) for w in theirs._write_pbs]
        assert mine == client, gone
