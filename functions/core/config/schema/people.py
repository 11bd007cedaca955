"""Users, teams, roles and permissions."""

from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, Field

from core.config.schema.common import E164, Ident, Strict

# Permission names used across the functions.
PERMISSIONS: frozenset[str] = frozenset(
    {
        "monitor",  # listen to calls, view chats
        "Monitor-Chats-Edit",  # end calls and chats
        "settings.edit",
        "audit.read",
        "sessions.assign",
        "smartactions.request",
        "recordings.read",
    }
)

BUILTIN_ROLES: dict[str, dict] = {
    "admin": {"name": "Admin", "permissions": sorted(PERMISSIONS), "scope": "all"},
    "manager": {
        "name": "Manager",
        "permissions": ["monitor", "Monitor-Chats-Edit", "sessions.assign", "smartactions.request"],
        "scope": "teams",
    },
    "supervisor": {"name": "Supervisor", "permissions": ["monitor"], "scope": "teams"},
    "agent": {"name": "Agent", "permissions": ["smartactions.request"], "scope": "teams"},
}


class Role(Strict):
    name: str = ""
    permissions: list[str] = Field(default_factory=list)
    scope: Literal["all", "teams"] = "teams"


class Team(Strict):
    name: str = ""
    queues: list[Ident] = Field(default_factory=list)


class User(Strict):
    name: str
    email: EmailStr | None = None
    phone: E164 | None = None
    roles: list[Ident] = Field(default_factory=list)
    teams: list[Ident] = Field(default_factory=list)
    active: bool = True
