"""What notifications_http's JSON routes answer with (OpenAPI success schemas; handlers
build dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    # Documentation of an answer, never used to refuse one: fields may be added.
    model_config = ConfigDict(extra="allow")


class SettingsAnswer(_Out):
    """A level's own settings, what applies after inheritance, and where each part comes
    from. The ETag header is `version`."""

    queue_id: str | None = Field(None, description="queue settings only")
    path: Any = Field(None, description="queue settings only")
    version: Any
    settings: dict[str, Any] = Field(description="this level's own settings")
    effective: dict[str, Any] = Field(description="per kind, after inheritance")
    sources: dict[str, Any] = Field(description="per kind, the level each setting comes from")


class Clip(_Out):
    id: Any
    source: Any = Field(description="builtin or custom")
    content_type: Any
    name: Any = None
    duration_seconds: Any = None


class ClipList(_Out):
    builtin: list[Clip] | None = Field(None, description="ringtones only")
    custom: list[Clip]


class ClipAnswer(_Out):
    """`tone` or `whisper`, after the route."""

    tone: Clip | None = None
    whisper: Clip | None = None


class Deleted(_Out):
    deleted: str


class ClipPreview(_Out):
    id: str
    url: str = Field(description="playable for a few minutes")
    expires_at: Any
    content_type: str
    duration_seconds: Any


class AnnouncementAnswer(_Out):
    announcement: dict[str, Any] = Field(description="whisper / countdown / tone to play")


class AlertAnswer(_Out):
    alert: dict[str, Any] = Field(description="ring now, wait or stop")


class Answered(_Out):
    session_id: str
    answered_at: Any
