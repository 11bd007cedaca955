"""Users, teams, roles and permissions."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, EmailStr, Field

from core.config.schema.common import E164, Ident, Strict

# Permission names used across the functions.
PERMISSIONS: frozenset[str] = frozenset(
    {
        "monitor",  # listen to calls, view chats
        "monitor.coach",  # talk to the agent only while monitoring a call (whisper coaching)
        "monitor.barge",  # join a monitored call audibly (customer and agent hear you)
        "Monitor-Chats-Edit",  # end calls and chats
        "settings.edit",
        "audit.read",
        "sessions.assign",
        "smartactions.request",  # on sessions assigned to oneself
        "smartactions.supervise",  # on any session of one's teams
        "recordings.read",
    }
)

BUILTIN_ROLES: dict[str, dict] = {
    "admin": {"name": "Admin", "permissions": sorted(PERMISSIONS), "scope": "all"},
    "manager": {
        "name": "Manager",
        "permissions": [
            "monitor",
            "monitor.coach",
            "monitor.barge",
            "Monitor-Chats-Edit",
            "smartactions.request",
            "smartactions.supervise",
        ],
        "scope": "teams",
    },
    # Supervisors train agents: they listen and coach; barging in is for managers and
    # admins (the seed: barge depends on the role's permissions). Custom roles may add it.
    "supervisor": {
        "name": "Supervisor",
        "permissions": ["monitor", "monitor.coach", "smartactions.supervise"],
        "scope": "teams",
    },
    "agent": {"name": "Agent", "permissions": ["smartactions.request"], "scope": "teams"},
    # Routing (the ACD or agent adapter) assigns contacts to agents; no person does, except
    # admins. Its service user gets this role and nothing else.
    "routing": {"name": "Routing", "permissions": ["sessions.assign"], "scope": "all"},
}


_CLIENT_IDENTITY = re.compile(r"^[A-Za-z0-9_.@-]{1,121}$")


def _check_identity(v: str) -> str:
    if not _CLIENT_IDENTITY.match(v):
        raise ValueError("must be 1-121 chars of A-Z, a-z, 0-9, '_', '.', '@' or '-'")
    return v


ClientIdentity = Annotated[str, AfterValidator(_check_identity)]


class Role(Strict):
    name: str = ""
    permissions: list[str] = Field(default_factory=list)
    scope: Literal["all", "teams"] = "teams"
    # A person holds this role's permissions (and scope) only when signed in with a second
    # factor (the Identity Platform token's firebase.sign_in_second_factor claim).
    mfa_required: bool = False


class Team(Strict):
    name: str = ""
    queues: list[Ident] = Field(default_factory=list)


class User(Strict):
    name: str
    # "person": signs in with Identity Platform (email / Google / enterprise provider);
    # "service": automation, authenticated by a Google service-account ID token whose
    # email is `email`.
    kind: Literal["person", "service"] = "person"
    # How a signed-in person (or a service account) is recognised: unique, case-insensitive.
    email: EmailStr | None = None
    phone: E164 | None = None
    # Twilio Client identity of the user's browser softphone (default: the user id).
    softphone: ClientIdentity | None = None
    roles: list[Ident] = Field(default_factory=list)
    teams: list[Ident] = Field(default_factory=list)
    active: bool = True

    def listening_targets(self, user_id: str) -> tuple[str, ...]:
        """Where a silent-monitoring leg of this user may be dialled: their own softphone,
        then the phone number of their own profile. Nothing else: a listening leg sent
        anywhere else would carry a customer's live audio outside the contact center."""
        own = (f"client:{self.softphone or user_id}",)
        return (*own, self.phone) if self.phone else own
