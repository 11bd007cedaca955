"""Media retention: delete objects past their retain_until (the lifecycle rule's twin).

In the cloud the media bucket's lifecycle rule (Delete, daysSinceCustomTime >=
SMARTACTIONS_MEDIA_RETENTION_DAYS) is the backstop; `purge` does the same on demand and on
the emulator, and also removes signed-URL uploads that were never verified.
"""

from __future__ import annotations

from datetime import datetime

from core import clients
from core.settings import settings
from smartactions import clock
from smartactions.config import sa_settings


def purge(now: float | None = None, prefix: str = "sessions/") -> list[str]:
    """Delete expired media; returns the deleted object names."""
    ts = clock.now() if now is None else now
    unverified_after = 2 * sa_settings().upload_url_ttl_seconds
    deleted = []
    for blob in clients.storage_client().list_blobs(settings().media_bucket, prefix=prefix):
        until = (blob.metadata or {}).get("retain_until")
        if until:
            due = datetime.fromisoformat(until).timestamp() <= ts
        else:  # uploaded through a signed URL and never verified
            due = (
                blob.time_created is not None
                and blob.time_created.timestamp() + unverified_after <= ts
            )
        if due:
            blob.delete()
            deleted.append(blob.name)
    return deleted
