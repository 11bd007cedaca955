"""What agents and end users see of requests and media."""

from __future__ import annotations

from typing import Any

from smartactions import clock, signing, verification
from smartactions.config import sa_settings


def media_item(item: dict[str, Any], now: float) -> dict[str, Any]:
    """A media entry with a short-lived read URL, never past the object's retention."""
    out = {
        k: item.get(k)
        for k in ("content_type", "size", "sha256", "uploaded_at", "retain_until", "filename", "id")
        if k in item
    }
    left = int(item["retain_until"] - now)
    if left <= 0:
        return out | {"url": None, "url_expires_at": None, "retention_expired": True}
    url, exp = signing.read_url(item["object"], min(sa_settings().read_url_ttl_seconds, left))
    return out | {"url": url, "url_expires_at": exp, "retention_expired": False}


def for_agent(req: dict[str, Any]) -> dict[str, Any]:
    now = clock.now()
    keys = (
        "id",
        "kind",
        "state",
        "prompt",
        "requested_by",
        "created_at",
        "expires_at",
        "max_count",
        "result",
        "decline_reason",
        "completed_at",
    )
    out = {k: req.get(k) for k in keys} | {
        "media": [media_item(m, now) for m in req.get("media", [])]
    }
    if req.get("kind") == "verification":
        # Only a result signed by the company backend counts; the app's word does not.
        out["verified_by"] = verification.verified_by(req)
    return out


def for_end_user(req: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "id",
        "kind",
        "state",
        "prompt",
        "created_at",
        "expires_at",
        "max_count",
        "completed_at",
    )
    return {k: req.get(k) for k in keys} | {"media_count": len(req.get("media", []))}
