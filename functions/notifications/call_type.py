"""The call type the whisper names ("{call type} from {queue name}"), from the session.

One place reads the session fields that tell a call's origin, so every channel added
later (mobile SDK calls, scheduled callbacks) is named by extending this table, not by
editing the whisper.
"""

from __future__ import annotations

from typing import Any, Literal

CallType = Literal["transfer", "scheduled_callback", "mobile_sdk_call", "inbound_call"]

# Channel / source / kind values that mean "the mobile SDK started this call".
_SDK_MARKERS = frozenset({"mobile_sdk", "mobile_sdk_call", "sdk_call", "sdk", "mobile_call"})
_CALLBACK_MARKERS = frozenset({"scheduled_callback", "callback", "scheduled_call"})


def _markers(session: dict[str, Any]) -> set[str]:
    return {
        str(session.get(f) or "").strip().lower()
        for f in ("channel", "source", "kind", "origin", "call_type")
    } - {""}


def is_call(session: dict[str, Any]) -> bool:
    """A voice contact: an IVR call, an SDK call (carrier leg), a callback."""
    m = _markers(session)
    return (
        session.get("channel") == "voice"
        or session.get("kind") in ("call", "scheduled_callback")
        or bool(m & (_SDK_MARKERS | _CALLBACK_MARKERS))
    )


def call_type(session: dict[str, Any]) -> CallType:
    """Transfer first (the agent must know the contact already spoke to someone), then
    how the call started; anything unrecognised is an inbound call."""
    transfers = session.get("transfers") or []
    if transfers or session.get("previous_queue_id") or session.get("transferred_from"):
        return "transfer"
    m = _markers(session)
    if m & _CALLBACK_MARKERS:
        return "scheduled_callback"
    if m & _SDK_MARKERS or (session.get("channel") == "mobile" and session.get("kind") == "call"):
        return "mobile_sdk_call"
    return "inbound_call"
