"""What smartactions_http's JSON routes answer with (OpenAPI success schemas; handlers
build dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    # Documentation of an answer, never used to refuse one: fields may be added.
    model_config = ConfigDict(extra="allow")


class Media(_Out):
    """A media entry with a short-lived read URL (smartactions/views.py media_item)."""

    id: Any = None
    content_type: Any = None
    size: Any = None
    url: str | None = Field(description="null once the retention has expired")
    url_expires_at: Any
    retention_expired: bool


class AgentRequest(_Out):
    """A SmartAction request as the agent sees it (result and media included)."""

    id: str
    kind: Any = Field(description="verification, photo, screenshot, video or text")
    state: Any
    prompt: Any
    requested_by: Any
    created_at: Any
    expires_at: Any
    max_count: Any
    result: Any
    decline_reason: Any
    completed_at: Any
    media: list[Media]


class EndUserRequest(_Out):
    """A SmartAction request as the end user sees it."""

    id: str
    kind: Any
    state: Any
    prompt: Any
    created_at: Any
    expires_at: Any
    max_count: Any
    completed_at: Any
    media_count: int


class AgentRequestAnswer(_Out):
    request: AgentRequest


class AgentRequests(_Out):
    requests: list[AgentRequest]


class EndUserRequestAnswer(_Out):
    request: EndUserRequest


class EndUserRequests(_Out):
    requests: list[EndUserRequest]


class UploadTicketAnswer(_Out):
    upload: dict[str, Any] = Field(description="url, method, headers, object, expires_at")


class AttachmentAnswer(_Out):
    attachment: dict[str, Any] = Field(description="id, filename, content_type, size")


class Attachments(_Out):
    attachments: list[Media]


class Redaction(_Out):
    recording: dict[str, Any] = Field(description="state: paused or recording")
