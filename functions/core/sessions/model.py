"""Session fields and the status machine."""

from __future__ import annotations

from functools import cache
from typing import Any, Literal, TypedDict

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


class EndUser(TypedDict):
    id: str | None
    name: str | None
    email: str | None
    phone: str | None
    anonymous: bool


class Profile(TypedDict, total=False):
    verified_customer: bool
    bad_actor: bool
    repeat_customer: bool
    label: str
    labels: list[str]  # attributes/flags.py


class Crm(TypedDict, total=False):
    ticket_id: str | None
    url: str | None
    contact_id: str | None


class Metrics(TypedDict):
    wait_seconds: float
    talk_seconds: float
    hold_seconds: float
    whisper_seconds: float
    countdown_seconds: float


class Session(TypedDict):
    """A `sessions/{id}` document as `new_session` creates it: every field present, since
    the lists filter on them. Writes go through core/sessions (store, marks) only."""

    id: str
    channel: SessionChannel
    kind: Literal["call", "chat"]
    source: VoiceSource | None
    status: Status
    queue_id: str | None
    queue_path: str | None
    language: str | None
    agent_id: str | None
    team_ids: list[str]
    end_user: EndUser
    participants: list[dict[str, Any]]  # {role, id, call_sid, joined_at, left_at}
    transfers: list[dict[str, Any]]  # core/sessions/transfers.py
    monitors: list[dict[str, Any]]  # monitoring/listen.py, monitoring/chat_view.py
    attributes: dict[str, Any]  # attributes/flags.py, attributes/sip_calls.py
    profile: Profile
    crm: Crm
    # {call_sid, from, to, agent_call_sid, call_status, direction, duration,
    #  tie_token_sha256, tied_at}: carrier legs (deflection, sessions/carrier_status.py)
    carrier: dict[str, Any]
    metrics: Metrics
    deflection: dict[str, Any] | None  # the decision: reason, option, target, chain, ...
    ended_by: dict[str, Any] | None
    created_at: float
    queued_at: float | None
    connected_at: float | None
    ended_at: float | None
    updated_at: float
    status_history: list[dict[str, Any]]  # {status, at}


class SessionDoc(Session, total=False):
    """Fields a capability adds to a session after it exists (or at its creation)."""

    device: dict[str, Any]  # deflection/sdk_calls.py: {app_version, device_type}
    voicemail: dict[str, Any]  # deflection/voicemail.py: {id, object, callback_number}
    profile_history: list[dict[str, Any]]  # attributes/flags.py
    crm_sync: dict[str, Any]  # attributes/crm_sync.py: {state, ticket_id, error, at}
    sip_redirect: dict[str, Any]  # attributes/sip_calls.py: {uri, data_parameters, at}
    answered_at: float  # notifications/alert.py
    answered_by: str  # notifications/alert.py
    smartactions: dict[str, Any]  # smartactions/actions.py: request id => request
    attachments: list[dict[str, Any]]  # smartactions/attachments.py
    redactions: list[dict[str, Any]]  # smartactions/redact.py


@cache
def declared_fields() -> frozenset[str]:
    return frozenset(SessionDoc.__annotations__)


def can_move(old: str, new: str) -> bool:
    return new in TRANSITIONS.get(old, frozenset())


def new_session(
    session_id: str, channel: str, status: str, now: float, **fields: object
) -> dict[str, Any]:
    """A fresh session document with every field present (queries filter on them): the
    shape of `Session`; `fields` must be fields of `SessionDoc`."""
    unknown = fields.keys() - declared_fields()
    if unknown:
        raise ValueError(f"not session fields (core/sessions/model.py): {sorted(unknown)}")
    doc: dict[str, Any] = {
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
