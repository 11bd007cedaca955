"""Scheduled (Cloud Scheduler -> Pub/Sub): end sessions stuck longer than configured.

Thresholds are `center.stuck_session_hours` per channel, measured from the session's
creation; `web`, `mobile` and `sms` fall back to the `chat` value when they have none.
Dry run (message attribute `dry_run=true` or payload `{"dry_run": true}`) only reports.
A redelivered message is claimed once (core.idempotency); ending is idempotent anyway.
"""

from __future__ import annotations

import time
from typing import Any

from core import clients, idempotency, logs
from core.config.store import get_view
from core.errors import ApiError
from core.sessions.events import decode_message
from core.sessions.model import LIVE_STATUSES
from core.sessions.store import COLLECTION
from monitoring.ending import end_session

log = logs.get("monitoring.sweeper")
CHANNELS = ("voice", "chat", "web", "mobile", "sms")
ACTOR = {"type": "system", "id": "stuck-session-sweeper", "name": "Stuck-session sweeper"}
BATCH = 200


def thresholds(hours: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for ch in CHANNELS:
        h = hours.get(ch)
        if h is None and ch in ("web", "mobile", "sms"):
            h = hours.get("chat")
        if h is not None and h > 0:
            out[ch] = float(h)
    return out


def stuck(channel: str, cutoff: float, limit: int) -> list[dict[str, Any]]:
    from google.cloud.firestore_v1.base_query import FieldFilter

    q = (
        clients.firestore()
        .collection(COLLECTION)
        .where(filter=FieldFilter("channel", "==", channel))
        .where(filter=FieldFilter("status", "in", list(LIVE_STATUSES)))
        .where(filter=FieldFilter("created_at", "<", cutoff))
        .order_by("created_at")
        .limit(limit)
    )
    return [d.to_dict() or {} for d in q.stream()]


def sweep(
    now: float | None = None, dry_run: bool = False, max_sessions: int = 2000
) -> dict[str, Any]:
    """End (or, dry run, list) every live session older than its channel's threshold."""
    ts = time.time() if now is None else now
    limits = thresholds(dict(get_view().center.stuck_session_hours))
    report: dict[str, Any] = {
        "dry_run": dry_run,
        "now": ts,
        "thresholds_hours": limits,
        "ended": [],
        "would_end": [],
        "failed": [],
    }
    budget = max_sessions
    seen: set[str] = set()
    for channel, hours in limits.items():
        cutoff = ts - hours * 3600
        while budget > 0:
            batch = stuck(channel, cutoff, min(BATCH, budget))
            fresh = [d for d in batch if d["id"] not in seen]
            if not fresh:
                break  # only sessions that already failed this run are left
            budget -= len(fresh)
            for doc in fresh:
                seen.add(doc["id"])
                item = {
                    "id": doc["id"],
                    "channel": channel,
                    "age_hours": round((ts - doc["created_at"]) / 3600, 2),
                }
                if dry_run:
                    report["would_end"].append(item)
                    continue
                reason = f"stuck for more than {hours:g} h ({channel})"
                try:
                    end_session(doc, ACTOR, reason, via="sweeper", now=ts)
                    report["ended"].append(item)
                except ApiError as err:  # e.g. carrier down: the next run retries it
                    report["failed"].append(item | {"error": err.message})
            if dry_run or len(batch) < BATCH:
                break  # a dry run changes nothing: the next page would repeat this one
    log.info(
        "stuck-session sweep: %d ended, %d would end, %d failed",
        len(report["ended"]),
        len(report["would_end"]),
        len(report["failed"]),
    )
    return report


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1", "yes")


def handle(event: Any, now: float | None = None) -> dict[str, Any] | None:
    logs.configure()
    payload, attrs, message_id = decode_message(event)
    dry_run = _flag(attrs.get("dry_run")) or _flag(payload.get("dry_run"))
    key = f"monitoring.sweeper:{message_id}"
    if not idempotency.claim(key):
        log.info("sweep message %s already handled", message_id)
        return None
    try:
        report = sweep(now=now, dry_run=dry_run)
    except Exception:
        idempotency.release(key)  # let Pub/Sub redeliver
        raise
    idempotency.done(
        key,
        {"ended": len(report["ended"]), "dry_run": dry_run, "would_end": len(report["would_end"])},
    )
    return report
