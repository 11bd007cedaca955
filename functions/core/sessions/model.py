"""Session fields and the status machine."""

from __future__ import annotations

from typing import Literal

Status = Literal["queued", "connected", "deflected", "voicemail", "ended"]
SessionChannel = Literal["voice", "mobile", "web", "chat", "sms"]
LIVE_STATUSES = ("queued", "connected")
CHAT_CHANNELS = ("chat", "web", "mobile", "sms")
# Where a voice session came from: a carrier call to one of our numbers (IVR), or a call the
# mobile SDK placed (the session exists before its carrier leg; docs/sdk-calls.md). Both
# are calls: same channel, lists, sweeper and agent announcement.
VoiceSource = Literal["ivr", "mobile_sdk"]
MOBILE_SDK = "mobile_sdk"

# Which status may follow which. Deflection and voicemail are outcomes that still end.
TRANSITIONS: dict[str, frozenset[str]] = {
    "queued": frozenset({"connected", "deflected", "voicemail", "ended"}),
    "connected": frozenset({"ended"}),
    "deflected": frozenset({"voicemail", "ended", "queued"}),
    "voicemail": frozenset({"ended"}),
    "ended": frozenset(),
}

PROFILE_FLAGS = ("verified_customer", "bad_actor", "repeat_customer")


def can_move(old: str, new: str) -> bool:
    return new in TRANSITIONS.get(old, frozenset())


def new_session(
    session_id: str, channel: str, status: str, now: float, **fields: object
) -> dict[str, object]:
    """A fresh session document with every field present (queries filter on them)."""
    doc: dict[str, object] = {
        "id": session_id,
        "channel": channel,
        "kind": "call" if channel == "voice" else "chat",
        "source": "ivr" if channel == "voice" else None,
        "status": status,
        "queue_id": None,
        "queue_path": None,
        "language": None,
        "agent_id": None,
        "team_ids": [],
        "end_user": {"id": None, "name": None, "email": None, "phone": None, "anonymous": True},
        "participants": [],
        "transfers": [],
        "monitors": [],
        "attributes": {},
        "profile": {
            "verified_customer": False,
            "bad_actor": False,
            "repeat_customer": False,
            "label": "unverified",
        },
        "crm": {"ticket_id": None, "url": None, "contact_id": None},
        "carrier": {},
        "metrics": {
            "wait_seconds": 0.0,
            "talk_seconds": 0.0,
            "hold_seconds": 0.0,
            "whisper_seconds": 0.0,
            "countdown_seconds": 0.0,
        },
        "deflection": None,
        "ended_by": None,
        "created_at": now,
        "queued_at": now if status == "queued" else None,
        "connected_at": None,
        "ended_at": None,
        "updated_at": now,
        "status_history": [{"status": status, "at": now}],
    }
    doc.update(fields)
    return doc
