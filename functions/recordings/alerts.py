"""Operational alerts: a log line at ERROR (the log-based alert in infra/monitoring.tf)
and a message on the `alerts` topic, keyed so consumers can dedupe."""

from __future__ import annotations

import json
import logging
import time

from core import clients, logs
from core.settings import settings

log = logs.get("recordings.alerts")


def alert(kind: str, recording_sid: str, message: str, **fields: object) -> None:
    payload = {
        "kind": kind,
        "recording_sid": recording_sid,
        "message": message,
        "at": time.time(),
        **fields,
    }
    logs.event(
        log,
        f"{kind}: recording {recording_sid}: {message}",
        logging.ERROR,
        alert=kind,
        recording_sid=recording_sid,
        **fields,
    )
    try:
        clients.publisher().publish(
            clients.topic_path(settings().alerts_topic),
            json.dumps(payload, default=str).encode(),
            kind=kind,
            recording_sid=recording_sid,
            event_id=f"{kind}:{recording_sid}",
        ).result(timeout=30)
    except Exception:  # the log line above is the alert of last resort
        log.exception("could not publish alert %s for %s", kind, recording_sid)
