"""What monitoring_http answers with (the OpenAPI success schemas; handlers build dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    # Documentation of an answer, never used to refuse one: fields may be added.
    model_config = ConfigDict(extra="allow")


class SessionRow(_Out):
    """One live call or chat of the lists (monitoring/views.py row)."""

    id: str
    kind: str | None = Field(description="call or chat")
    channel: str | None
    status: str | None
    queue_id: str | None
    queue_path: Any
    agent: dict[str, Any] | None = Field(description="id and name of the assigned agent")
    end_user: Any = Field(description="the end user as the caller may see them")
    created_at: float
    age_seconds: float
    queue_wait_seconds: Any
    monitor_count: int
    monitored_by_me: bool
    actions: list[str] = Field(description="what the caller may do: details, monitor, end, ...")


class SessionList(_Out):
    items: list[SessionRow]
    next_cursor: str | None = Field(description="pass as cursor for the next page")


class SessionDetails(_Out):
    session: dict[str, Any] = Field(
        description="metrics, transfers, participants, profile flags, monitors, actions"
    )


class Monitor(_Out):
    id: Any
    user_id: Any
    name: Any
    kind: Any = Field(description="listen")
    started_at: Any
    participant_call_sid: Any
    to: Any = Field(description="the caller's softphone or profile phone that was dialled")
    mode: Any = Field(description="listen, coach or barge")
    mode_changed_at: Any


class MonitorAnswer(_Out):
    monitor: Monitor
    changed: bool
    from_: Any = Field(default=None, alias="from", description="the mode before a switch")


class Stopped(_Out):
    monitoring: bool
    changed: bool
    stopped: list[Monitor] = Field(default=[], description="the monitoring legs removed")


class AgentSession(_Out):
    id: str
    kind: Any
    channel: Any
    queue_id: Any
    queue_path: Any
    connected_at: Any


class AgentRow(_Out):
    id: str
    name: Any
    email: Any
    teams: list[str]
    status: Any = Field(description="presence: available, busy, offline, ...")
    status_updated_at: Any
    activity: str = Field(description="on_call, on_chat or idle")
    current_call: AgentSession | None
    current_sessions: list[AgentSession]
    actions: list[str]


class AgentList(_Out):
    agents: list[AgentRow]
    next_cursor: str | None


class ChatViewer(_Out):
    viewer: dict[str, Any] = Field(description="id, user_id, started_at")
    token: str = Field(description="viewer token for GET /chats/{session_id}/transcript")
    expires_at: Any
    read_only: bool
    transcript_path: str
    changed: bool


class ViewStopped(_Out):
    viewing: bool
    changed: bool


class Transcript(_Out):
    messages: list[dict[str, Any]] = Field(description="id, sender, text, at")
    cursor: str | None = Field(description="pass as after for the next messages")
    status: Any
    read_only: bool


class Ended(_Out):
    session: dict[str, Any]
    changed: bool


class AuditEntry(_Out):
    id: str
    at: float
    action: str
    actor: dict[str, Any]
    actor_id: Any
    session_id: Any
    session_kind: Any
    channel: Any
    queue_id: Any
    reason: Any
    details: Any


class AuditPage(_Out):
    entries: list[AuditEntry]
    next_cursor: str | None
