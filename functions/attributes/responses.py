"""What attributes_http's JSON routes answer with (OpenAPI success schemas; handlers build
dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    # Documentation of an answer, never used to refuse one: fields may be added.
    model_config = ConfigDict(extra="allow")


class CustomerFlag(_Out):
    """The reserved profile flags of a session (attributes/flags.py public_profile)."""

    verified_customer: bool
    bad_actor: bool
    repeat_customer: bool
    label: str
    labels: Any


class FlaggedSession(_Out):
    id: str
    customer_flag: CustomerFlag


class FlagAnswer(_Out):
    """`call` for /calls/..., `chat` for /chats/...: one of the two."""

    call: FlaggedSession | None = None
    chat: FlaggedSession | None = None


class CxWebhookAnswer(_Out):
    sessionInfo: dict[str, Any] = Field(  # noqa: N815 - Dialogflow CX's field name
        description="parameters: the verified flag (under the configured name), cc_bad_actor, "
        "cc_repeat_customer, cc_profile_label"
    )


class Visitor(_Out):
    visitor_id: str
    visitor_token: str = Field(description="a bearer token for the SDK routes")
    expires_in: int = Field(description="seconds")


class MergeAnswer(_Out):
    merge: dict[str, Any] = Field(description="what was merged, and replayed for a retry")


class SessionData(_Out):
    session_id: str
    profile: CustomerFlag
    custom_data: dict[str, Any]
