"""What sessions_http answers with (the OpenAPI success schemas; handlers build dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    # Documentation of an answer, never used to refuse one: fields may be added.
    model_config = ConfigDict(extra="allow")


class SessionView(_Out):
    """A session as its end user and agents see it."""

    id: str
    channel: str | None = Field(description="voice, mobile, web, chat or sms")
    status: str | None = Field(description="queued, connected, ended, ...")
    queue_id: str | None
    queue_path: Any = Field(description="the queue's place in the tree")
    language: str | None
    created_at: Any = Field(description="epoch seconds")
    agent_id: str | None
    profile: dict[str, Any] | None = Field(description="verified / bad actor / repeat flags")


class SessionAnswer(_Out):
    session: SessionView


class Message(_Out):
    id: str
    sender: dict[str, Any] = Field(description="role (end_user or agent) and id")
    text: str
    at: float = Field(description="epoch seconds")


class MessageAnswer(_Out):
    message: Message


class TransferAnswer(_Out):
    session: SessionView
    transfer: dict[str, Any] | None = Field(description="the transfer recorded, if it moved")
    changed: bool
