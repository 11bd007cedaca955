"""Which redirection config governs a session: the queue's own, else the nearest
ancestor's (queue settings inherit parent -> child unless overridden)."""

from __future__ import annotations

from core.config.schema.redirection import Redirection
from core.config.store import get_view


def for_queue(queue_id: str | None) -> Redirection | None:
    if not queue_id:
        return None
    found = get_view().inherited(queue_id, "redirection", center=False)
    return found[0] if found else None


def in_crm_record(queue_id: str | None) -> bool:
    r = for_queue(queue_id)
    return bool(r and r.sip.data_records.in_crm_record)


def in_metadata(queue_id: str | None) -> bool:
    r = for_queue(queue_id)
    return bool(r and r.sip.data_records.in_metadata)
