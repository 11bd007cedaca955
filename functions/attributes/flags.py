"""Profile flags on a session: one write path for every input (SDK custom data, Apps API,
SIP headers, virtual agent), so each change updates the profile, keeps the history,
publishes one event and reaches the CRM record the same way: from that event, in order,
once per change (attributes.crm_events, the attributes_on_event function).

Later writes win: changes are applied in commit order in one conditioned commit per change.
A change that alters nothing writes nothing and publishes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from attributes.profile import label_for, labels_for, public_profile
from core import logs
from core.errors import not_found
from core.sessions import store
from core.sessions.model import PROFILE_FLAGS

log = logs.get("attributes.flags")

EVENT_TYPE = "session.profile_changed"
# Older changes are in the event log (session_events, kept 30 days once published); the
# session keeps the recent part so a 10-writes-per-second caller cannot push the document
# past Firestore's 1 MiB.
HISTORY_KEEP = 100


def apply(
    session_id: str,
    values: Mapping[str, bool],
    *,
    source: str,
    key: str,
    kinds: Iterable[str] | None = None,
    detail: dict[str, Any] | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], bool]:
    """Set some flags on a session; returns (session, changed).

    `key` makes the change happen once (a replayed request with the same key is a no-op);
    `kinds` limits which sessions qualify ("call" / "chat"): others look missing.
    `attributes` are merged into the session's `attributes` in the same commit.
    """
    values = {f: bool(v) for f, v in values.items() if f in PROFILE_FLAGS}
    allowed = tuple(kinds) if kinds is not None else None
    now = time.time()
    event_key = f"{session_id}:profile:{key}"

    def mut(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list]:
        if cur is None or (allowed is not None and cur.get("kind") not in allowed):
            raise not_found("session")
        before = public_profile(cur)
        after = {f: values.get(f, before[f]) for f in PROFILE_FLAGS}
        attrs = dict(cur.get("attributes") or {}) | dict(attributes or {})
        if all(after[f] == before[f] for f in PROFILE_FLAGS) and attrs == (
            cur.get("attributes") or {}
        ):
            return None, []
        profile = dict(cur.get("profile") or {}) | after
        profile["label"] = label_for(after)
        profile["labels"] = labels_for(after)
        entry = {"at": now, "source": source, "set": values, "label": profile["label"]}
        if detail:
            entry["detail"] = detail
        history = [*(cur.get("profile_history") or []), entry][-HISTORY_KEEP:]
        # The change's number on this session: the CRM consumer writes changes in order.
        seq = int(cur.get("profile_seq") or 0) + 1
        doc = dict(cur) | {
            "profile": profile,
            "profile_history": history,
            "profile_seq": seq,
            "attributes": attrs,
            "updated_at": now,
        }
        data = {
            "seq": seq,
            "source": source,
            "set": values,
            "before": before,
            "profile": public_profile(doc),
            "queue_id": cur.get("queue_id"),
            "channel": cur.get("channel"),
        }
        if detail:
            data["detail"] = detail
        return doc, [(EVENT_TYPE, data, event_key)]

    doc, staged = store.mutate(session_id, mut, event_keys=[event_key])
    assert doc is not None
    changed = bool(staged)
    if changed:
        # The CRM record follows from the event (attributes.crm_events), off this path.
        log.info("profile of %s set by %s: %s", session_id, source, values)
    return doc, changed


def current(session_id: str, kinds: Iterable[str] | None = None) -> dict[str, Any]:
    doc = store.get(session_id)
    if doc is None or (kinds is not None and doc.get("kind") not in tuple(kinds)):
        raise not_found("session")
    return doc
