"""recordings_sweeper: the retention guarantee, run by Cloud Scheduler (hourly).

For every recording not yet done:
- at day 6 (RECORDINGS_ALERT_AFTER_DAYS) still undelivered: alert once (log + `alerts`);
- at day 7 (RECORDINGS_DELETE_AFTER_DAYS, minus one sweep interval so nothing is ever
  older than 7 days between two sweeps): delete our object and the carrier copy whatever
  the CRM said, and mark it expired (alerted too);
- a recording whose next task is long overdue (its task was lost) gets a new task.
The bucket's lifecycle rule (age <= 7 days) is the backstop behind this sweep.
Idempotent: every decision is taken from the document's state in a transaction.
"""

from __future__ import annotations

import time
from typing import Any

from core import clients, logs
from recordings import carrier_media, state, storage_io, tasks
from recordings.alerts import alert
from recordings.config import rec_settings

log = logs.get("recordings.sweeper")
DAY = 86400.0
SWEEP_INTERVAL_SECONDS = 3600.0
OPEN = ("pending", "stored", "confirmed", "failed")
# A task this late (beyond its lease and schedule) is presumed lost.
OVERDUE_SECONDS = 600.0


def _open_recordings() -> list[dict[str, Any]]:
    from google.cloud.firestore_v1.base_query import FieldFilter

    col = clients.firestore().collection(state.COLLECTION)
    query = col.where(filter=FieldFilter("status", "in", list(OPEN)))
    return [s.to_dict() or {} for s in query.stream()]


def _age(doc: dict[str, Any], now: float) -> float:
    return now - float(doc.get("retention_from") or doc.get("created_at") or now)


def _mark_alerted(sid: str) -> bool:
    def fn(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, Any]:
        if cur is None or cur.get("alerted_at") or cur.get("status") not in OPEN:
            return None, False
        return {"alerted_at": time.time()}, True

    return bool(state.update_unleased(sid, fn))


def _expire(doc: dict[str, Any]) -> None:
    sid = doc["sid"]
    rs = rec_settings()
    storage_io.delete(sid)
    try:
        carrier_media.delete(sid, rs.http_timeout_seconds)
    except carrier_media.CarrierError:
        log.warning("carrier copy of %s not deleted yet; next sweep retries", sid)
        raise

    def fn(cur: dict[str, Any] | None) -> tuple[dict[str, Any] | None, Any]:
        if cur is None or cur.get("status") not in OPEN:
            return None, False
        return {
            "status": "expired",
            "expired_at": time.time(),
            "deleted": (cur.get("deleted") or {}) | {"object": time.time(), "carrier": time.time()},
            "lease": {"id": None, "until": 0, "no": (cur.get("lease") or {}).get("no", 0)},
            "gen": int(cur.get("gen", 0)) + 1,
        }, True  # outstanding tasks become stale

    if state.update_unleased(sid, fn):
        alert(
            "recording.expired",
            sid,
            "deleted undelivered at the retention limit",
            status=doc.get("status"),
            last_error=doc.get("last_error"),
        )


def sweep(now: float | None = None) -> dict[str, int]:
    now = time.time() if now is None else now
    rs = rec_settings()
    counts = {"alerted": 0, "expired": 0, "kicked": 0, "errors": 0}
    for doc in _open_recordings():
        sid = doc["sid"]
        age = _age(doc, now)
        try:
            if age >= rs.delete_after_days * DAY - SWEEP_INTERVAL_SECONDS:
                _expire(doc)
                counts["expired"] += 1
                continue
            if age >= rs.alert_after_days * DAY and _mark_alerted(sid):
                alert(
                    "recording.undelivered",
                    sid,
                    f"still undelivered after {age / DAY:.1f} days",
                    status=doc.get("status"),
                    last_error=doc.get("last_error"),
                    delay_reason=doc.get("delay_reason"),
                )
                counts["alerted"] += 1
            lease_until = float((doc.get("lease") or {}).get("until") or 0)
            next_at = float(doc.get("next_at") or 0)
            if doc.get("status") != "failed" and max(lease_until, next_at) + OVERDUE_SECONDS < now:
                tasks.enqueue(sid, int(doc.get("gen", 0)), suffix=f"-k{int(now)}")
                counts["kicked"] += 1
        except Exception:
            counts["errors"] += 1
            log.exception("sweep of recording %s failed", sid)
    logs.event(log, "retention sweep done", **counts)
    return counts


def handle(event: Any) -> None:
    from core.settings import settings

    logs.configure(settings().log_level)
    sweep()
