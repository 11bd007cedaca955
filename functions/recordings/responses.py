"""What recordings_http's JSON routes answer with (OpenAPI success schemas; handlers build
dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    # Documentation of an answer, never used to refuse one: fields may be added.
    model_config = ConfigDict(extra="allow")


class DeliveryOutcome(_Out):
    outcome: str = Field(
        description="delivered, rescheduled, handed_on, failed, stale, busy, lease_lost, ..."
    )


class CrmSession(_Out):
    session: str = Field(description="send as X-CRM-Session with GET /recordings/{sid}/url")
    expires_at: Any


class RecordingUrl(_Out):
    url: str = Field(description="short-lived URL of the recording's bytes")
    expires_at: Any
    mode: str = Field(description="how the URL is signed (local function or V4 signed URL)")
