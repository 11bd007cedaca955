"""Firestore TTL: a document that is only useful for a while carries `expire_at` (a
timestamp), and a TTL policy on that collection group deletes it after that time.

A module that writes `FIELD` names its collection in the same module (a `COLLECTION`
constant passed to `.collection(...)`); tests/infra reads the code, finds every such
collection and fails when infra/firestore.indexes.json declares no TTL policy for it.
"""

from __future__ import annotations

import datetime as dt
import time

FIELD = "expire_at"
DAY = 86400.0


def expire_at(after_seconds: float, now: float | None = None) -> dt.datetime:
    """The `expire_at` value for a document to keep `after_seconds` from `now`.

    A datetime, stored as a Firestore timestamp: TTL policies ignore any other type.
    """
    at = (time.time() if now is None else now) + after_seconds
    return dt.datetime.fromtimestamp(at, dt.UTC)
