"""Portal users (admins, managers, supervisors, agents): a signed user token.

The token only names the user; roles, permissions and teams come from the applied config
at request time, so revoking a role takes effect without waiting for tokens to expire.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import flask
import jwt

from core.config.store import get_view
from core.config.view import CenterView
from core.errors import ApiError, forbidden, not_found, unauthorized
from core.settings import settings

ISSUER = "contact-center-portal"


@dataclass(frozen=True)
class Principal:
    user_id: str
    name: str
    roles: frozenset[str]
    permissions: frozenset[str]
    teams: frozenset[str]
    all_queues: bool  # a role with scope "all" (admin) sees every queue
    team_queues: frozenset[str]
    # Where this user may take a silent-monitoring leg (own softphone first, own phone).
    listening_targets: tuple[str, ...]

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, permission: str) -> None:
        if permission not in self.permissions:
            raise forbidden(f"requires the {permission!r} permission")

    def can_see_queue(self, queue_id: str | None) -> bool:
        return self.all_queues or (queue_id is not None and queue_id in self.team_queues)

    def require_queue(self, queue_id: str | None, what: str = "session") -> None:
        """Out-of-scope objects are reported as missing, not forbidden (no existence leak)."""
        if not self.can_see_queue(queue_id):
            raise not_found(what)


def principal_for(user_id: str, view: CenterView | None = None) -> Principal:
    view = view or get_view()
    user = view.cfg.users.get(user_id)
    if user is None or not user.active:
        raise unauthorized("unknown or inactive user")
    perms: set[str] = set()
    all_queues = False
    for rid in user.roles:
        role = view.roles[rid]
        perms.update(role.permissions)
        all_queues |= role.scope == "all"
    teams = frozenset(user.teams)
    return Principal(
        user_id,
        user.name,
        frozenset(user.roles),
        frozenset(perms),
        teams,
        all_queues,
        view.team_queues(teams),
        user.listening_targets(user_id),
    )


def authenticate(request: flask.Request) -> Principal:
    auth = request.headers.get("Authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise unauthorized("send Authorization: Bearer <portal user token>", challenge="Bearer")
    try:
        claims = jwt.decode(
            token,
            settings().portal_token_secret,
            algorithms=["HS256"],
            options={"require": ["sub", "exp", "iat"]},
            issuer=ISSUER,
            leeway=settings().jwt_leeway_seconds,
        )
    except jwt.InvalidTokenError as exc:
        raise ApiError(
            401, "bad_token", f"invalid portal token: {exc}", field="Authorization"
        ) from None
    return principal_for(str(claims["sub"]))


def issue(user_id: str, ttl: int = 8 * 3600) -> str:
    now = int(time.time())
    return jwt.encode(
        {"sub": user_id, "iat": now, "exp": now + ttl, "iss": ISSUER},
        settings().portal_token_secret,
        algorithm="HS256",
    )
