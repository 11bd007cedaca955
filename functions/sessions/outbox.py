"""Scheduled: publish session events that were staged but never published."""

from __future__ import annotations

from typing import Any

from core import logs
from core.sessions.events import flush_outbox

log = logs.get("sessions.outbox")


def handle(event: Any) -> None:
    logs.configure()
    n = flush_outbox()
    log.info("outbox flushed %d events", n)
