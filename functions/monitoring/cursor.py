"""Opaque page cursors: the sort key of the last row handed out, base64url JSON."""

from __future__ import annotations

import base64
import json
from typing import Any

from core.errors import bad_request


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
    if not isinstance(value, int | float) or isinstance(value, bool) \
            or not isinstance(doc_id, str) or not doc_id or "/" in doc_id:
        raise bad_request(field, "not a cursor this API returned")
    return float(value), doc_id
