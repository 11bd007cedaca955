"""What settings_http's JSON routes answer with (OpenAPI success schemas; handlers build
dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    # Documentation of an answer, never used to refuse one: fields may be added.
    model_config = ConfigDict(extra="allow")


class Resource(_Out):
    """One resource and its ETag (also the ETag header; send it back as If-Match).
    A queue adds id, parent, path and children."""

    resource: str = Field(description="e.g. center, hours/business, queues/billing")
    etag: str
    version: str = Field(description="the version of the whole config")
    data: dict[str, Any] = Field(description="the resource as in the config file")


class Item(_Out):
    id: str
    etag: str
    data: dict[str, Any]


class Resources(_Out):
    version: str
    items: list[Item]
    builtin: Any = Field(None, description="roles only: the built-in roles")


class QueueTree(_Out):
    version: str
    queues: list[dict[str, Any]] = Field(description="the caller's queues, in tree order")


class AuditPage(_Out):
    entries: list[dict[str, Any]] = Field(
        description="who, when, resource, diff before -> after; newest first"
    )
    next_before: Any = Field(description="pass as before for the next page")


class AudioUpload(_Out):
    audio: str = Field(description="the object name to reference as {audio: name}")
    bytes: int
    duration_seconds: Any
    use: dict[str, Any]


class PreviewAnswer(_Out):
    from_: str = Field(alias="from")
    until: str
    version: str
    evaluated: Any
    differences: list[dict[str, Any]]
    truncated: bool


class ImportReport(_Out):
    created: Any
    updated: Any
    deleted: Any
    unchanged: Any
    hash: str = Field(description="the new config version (also the ETag header)")
    changed: bool
    dry_run: bool
