"""Scheduled (Cloud Scheduler -> Pub/Sub `scheduler-voicemail`): deliver the voicemails of
queues that are open now. Idempotent: delivery is a transactional status change per
voicemail (agents) or a claimed, external-id-checked ticket (CRM).

The message may carry {"at": ISO instant}; it is honoured on the emulator suite only,
so tests can run "the scheduler tick at 09:00".
"""

from __future__ import annotations

from typing import Any

from core import logs
from core.config.store import get_view
from core.errors import ApiError
from core.sessions.events import decode_message
from deflection import clock, voicemail

log = logs.get("deflection.voicemail_delivery")


def handle(event: Any) -> None:
    logs.configure()
    try:
        payload, _, mid = decode_message(event)
    except ValueError:
        payload, mid = {}, "?"
    at_raw = payload.get("at") if isinstance(payload, dict) else None
    try:
        at = clock.now(at_raw if isinstance(at_raw, str) else None)
    except ApiError as exc:  # a bad message must not be redelivered forever
        log.warning("ignoring `at` of message %s: %s", mid, exc.message)
        at = clock.now()
    counts = voicemail.deliver_due(get_view(), at)
    logs.event(log, "voicemail delivery run", message_id=mid, at=at.isoformat(), **counts)
