"""Opaque page cursors: the sort key of the last row handed out, base64url JSON."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

from core.errors import bad_request


def _valid_doc_id(doc_id: Any) -> bool:
    """Firestore's document id rules, so a forged cursor is a 400, not a client error."""
    return (
        isinstance(doc_id, str)
        and 0 < len(doc_id.encode()) <= 1500
        and "/" not in doc_id
        and doc_id not in (".", "..")
        and not (doc_id.startswith("__") and doc_id.endswith("__"))
    )


def encode(sort_value: float, doc_id: str) -> str:
    raw = json.dumps({"v": sort_value, "id": doc_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str, field: str = "query.cursor") -> tuple[float, str]:
    try:
        pad = "=" * (-len(token) % 4)
        data: Any = json.loads(base64.urlsafe_b64decode(token + pad))
        value, doc_id = data["v"], data["id"]
    except (ValueError, KeyError, TypeError):
        raise bad_request(field, "not a cursor this API returned") from None
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or not _valid_doc_id(doc_id)
    ):
        raise bad_request(field, "not a cursor this API returned")
    return float(value), doc_id
