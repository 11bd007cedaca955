"""A session's public profile: its flags and the labels an agent sees. Pure functions, used
by the flag write path (flags.py), the CRM record (crm_sync.py) and every reader."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.sessions.model import PROFILE_FLAGS

LABELS = {
    "bad_actor": "bad actor",
    "verified_customer": "verified",
    "repeat_customer": "repeat customer",
}


def labels_for(profile: Mapping[str, Any]) -> list[str]:
    return [
        LABELS[f] for f in ("bad_actor", "verified_customer", "repeat_customer") if profile.get(f)
    ] or ["unverified"]


def label_for(profile: Mapping[str, Any]) -> str:
    """The one label an agent sees first: a bad actor warning outranks everything."""
    return labels_for(profile)[0]


def public_profile(doc: Mapping[str, Any]) -> dict[str, Any]:
    p = doc.get("profile") or {}
    out: dict[str, Any] = {f: bool(p.get(f, False)) for f in PROFILE_FLAGS}
    out["label"] = label_for(out)
    out["labels"] = labels_for(out)
    return out
