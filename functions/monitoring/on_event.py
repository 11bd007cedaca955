"""Session events -> the live-sessions projection the monitoring lists read.

Every event refreshes its session's row from the session as it is now (monitoring.live),
so a duplicate, late or out-of-order delivery rewrites current truth and needs no
idempotency record; an ended session's row goes.
"""

from __future__ import annotations

from typing import Any

from core import logs
from core.sessions import events
from monitoring import live

log = logs.get("monitoring.on_event")


def handle(cloud_event: Any) -> None:
    logs.configure()
    payload, attrs, message_id = events.decode_message(cloud_event)
    session_id = payload.get("session_id") or attrs.get("session_id")
    if not isinstance(session_id, str) or not session_id:
        logs.event(log, "event without session id ignored", message_id=message_id)
        return
    outcome = live.refresh(session_id)
    log.debug("live row of %s %s (%s)", session_id, outcome, payload.get("type"))
