"""The whole contact center in one file, with cross-reference checks."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import EmailStr, Field, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from core.config.schema import deflection_checks
from core.config.schema.common import Ident, Strict
from core.config.schema.deflection import CenterDeflection
from core.config.schema.hours import HoursSelection, HoursSpec, TimeZone
from core.config.schema.messages import LanguageConfig
from core.config.schema.notifications import CenterNotifications
from core.config.schema.people import BUILTIN_ROLES, PERMISSIONS, Role, Team, User
from core.config.schema.queues import Queue


class Center(Strict):
    """Support center details."""

    name: str = Field(min_length=1)
    timezone: TimeZone
    support_email: EmailStr
    default_language: str = "en-US"
    hours: HoursSelection
    deflection: CenterDeflection = Field(default_factory=CenterDeflection)
    notifications: CenterNotifications = Field(default_factory=CenterNotifications)
    stuck_session_hours: dict[str, float] = Field(default_factory=dict)  # per channel; sweeper


class ContactCenterConfig(Strict):
    version: int = Field(1, ge=1, le=1)
    center: Center
    hours: dict[Ident, HoursSpec] = Field(default_factory=dict)
    languages: dict[str, LanguageConfig] = Field(default_factory=dict)
    queues: list[Queue] = Field(default_factory=list)
    roles: dict[Ident, Role] = Field(default_factory=dict)
    teams: dict[Ident, Team] = Field(default_factory=dict)
    users: dict[Ident, User] = Field(default_factory=dict)

    def walk_queues(self) -> Iterator[tuple[tuple, Queue, Queue | None]]:
        """Yield (location in the file, queue, parent) depth first."""

        def rec(qs: list[Queue], loc: tuple, parent: Queue | None) -> Iterator:
            for i, q in enumerate(qs):
                here = (*loc, i)
                yield here, q, parent
                yield from rec(q.children, (*here, "children"), q)

        yield from rec(self.queues, ("queues",), None)

    def all_roles(self) -> dict[str, Role]:
        roles = {k: Role(**v) for k, v in BUILTIN_ROLES.items()}
        roles.update(self.roles)
        return roles

    @model_validator(mode="after")
    def _cross_references(self) -> ContactCenterConfig:
        errors: list[InitErrorDetails] = []

        def err(loc: tuple, msg: str) -> None:
            errors.append(
                InitErrorDetails(type=PydanticCustomError("reference", msg), loc=loc, input=None)
            )

        hours_ids = set(self.hours)
        for key, ref in self.center.hours.referenced():
            if ref not in hours_ids:
                err(("center", "hours", *key.split(".")), f"unknown hours id {ref!r}")
        if not self.center.hours.default:
            err(("center", "hours", "default"), "the contact center needs default hours")
        if self.languages and self.center.default_language not in self.languages:
            err(("center", "default_language"), "not one of `languages`")

        seen: dict[str, tuple] = {}
        for loc, q, _ in self.walk_queues():
            if q.id in seen:
                err((*loc, "id"), f"duplicate queue id {q.id!r}")
            seen[q.id] = loc
        for loc, q, _ in self.walk_queues():
            for key, ref in q.hours.referenced() if q.hours else []:
                if ref not in hours_ids:
                    err((*loc, "hours", *key.split(".")), f"unknown hours id {ref!r}")
            d = q.deflection
            if d and d.voice and d.voice.queue and d.voice.queue not in seen:
                err((*loc, "deflection", "voice", "queue"), f"unknown queue {d.voice.queue!r}")
            if d and d.mobile and d.mobile.deflect_to_queue:
                if d.mobile.deflect_to_queue not in seen:
                    err(
                        (*loc, "deflection", "mobile", "deflect_to_queue"),
                        f"unknown queue {d.mobile.deflect_to_queue!r}",
                    )
        for number, route in self.center.deflection.numbers.items():
            if route.queue not in seen:
                err(
                    ("center", "deflection", "numbers", number, "queue"),
                    f"unknown queue {route.queue!r}",
                )
        deflection_checks.check(self, err)
        voice = self.center.deflection.voice
        if voice.queue and voice.queue not in seen:
            err(("center", "deflection", "voice", "queue"), f"unknown queue {voice.queue!r}")

        roles = self.all_roles()
        for rid, role in self.roles.items():
            for i, p in enumerate(role.permissions):
                if p not in PERMISSIONS:
                    err(("roles", rid, "permissions", i), f"unknown permission {p!r}")
        for tid, team in self.teams.items():
            for i, qid in enumerate(team.queues):
                if qid not in seen:
                    err(("teams", tid, "queues", i), f"unknown queue {qid!r}")
        by_email: dict[str, str] = {}
        for uid, user in self.users.items():
            if user.email:
                first = by_email.setdefault(user.email.lower(), uid)
                if first != uid:
                    err(("users", uid, "email"), f"the same email as user {first!r}")
            elif user.kind == "service":
                err(("users", uid, "email"), "a service user needs its service account's email")
            for i, r in enumerate(user.roles):
                if r not in roles:
                    err(("users", uid, "roles", i), f"unknown role {r!r}")
            for i, t in enumerate(user.teams):
                if t not in self.teams:
                    err(("users", uid, "teams", i), f"unknown team {t!r}")
        if errors:
            raise ValidationError.from_exception_data(self.__class__.__name__, errors)
        return self
