"""Portal callers: people signed in with Identity Platform, and automation.

- People present an Identity Platform ID token (core.auth.id_tokens); its verified email
  names a user of the contact-center config (kind "person").
- Automation presents a Google service-account ID token whose audience is this function's
  URL; its email names a config user of kind "service".
- Tests without the Auth emulator may use a self-minted HS256 token (`issue`); it is
  refused in the cloud (K_SERVICE set).

The token only names the user; roles, permissions and teams come from the applied config
at request time, so revoking a role takes effect without waiting for tokens to expire.
Writes also check that the sign-in has not been revoked nor the account disabled.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import flask
import jwt

from core.auth import id_tokens
from core.config.store import get_view
from core.config.view import CenterView
from core.errors import ApiError, forbidden, not_found, unauthorized
from core.settings import in_cloud, settings

ISSUER = "contact-center-portal"  # the self-minted test tokens only
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CHALLENGE = "Bearer"


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
    kind: str = "person"  # or "service"
    # Permissions of roles that require a second factor this sign-in did not use.
    withheld: frozenset[str] = frozenset()

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, permission: str) -> None:
        if permission in self.permissions:
            return
        if permission in self.withheld:
            raise ApiError(
                403,
                "second_factor_required",
                f"the {permission!r} permission needs a sign-in with a second factor",
                field="Authorization",
            )
        raise forbidden(f"requires the {permission!r} permission")

    def can_see_queue(self, queue_id: str | None) -> bool:
        return self.all_queues or (queue_id is not None and queue_id in self.team_queues)

    def require_queue(self, queue_id: str | None, what: str = "session") -> None:
        """Out-of-scope objects are reported as missing, not forbidden (no existence leak)."""
        if not self.can_see_queue(queue_id):
            raise not_found(what)


def principal_for(
    user_id: str, view: CenterView | None = None, *, second_factor: bool = False
) -> Principal:
    """The user's permissions and queues from the config. A role with `mfa_required`
    counts only when `second_factor` (or for service users, which have no second factor:
    their credential is a Google-held key, not a password)."""
    view = view or get_view()
    user = view.cfg.users.get(user_id)
    if user is None or not user.active:
        raise unauthorized("unknown or inactive user")
    mfa_ok = second_factor or user.kind == "service"
    perms: set[str] = set()
    withheld: set[str] = set()
    all_queues = False
    for rid in user.roles:
        role = view.roles[rid]
        if role.mfa_required and not mfa_ok:
            withheld.update(role.permissions)
            continue
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
        user.kind,
        frozenset(withheld - perms),
    )


def _token(request: flask.Request) -> str:
    auth = request.headers.get("Authorization", "")
    scheme, _, token = auth.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorized(
            "send Authorization: Bearer <Identity Platform ID token>", challenge=CHALLENGE
        )
    return token


def _bad(message: str) -> ApiError:
    return ApiError(401, "bad_token", message, field="Authorization")


def authenticate(request: flask.Request) -> Principal:
    token = _token(request)
    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.InvalidTokenError:
        raise _bad("the bearer token is not a JWT") from None
    if issuer == id_tokens.person_issuer():
        who = id_tokens.verify_person(token, check_revoked=request.method not in SAFE_METHODS)
    elif issuer in id_tokens.SERVICE_ISSUERS:
        # Audience: the URL of the function called, as for any Cloud Run service.
        who = id_tokens.verify_service(token, audience=settings().public_url.rstrip("/"))
    elif issuer == ISSUER:
        return _self_minted(token)
    else:
        raise _bad(
            "not an ID token of this project's Identity Platform nor of a Google service account"
        )
    return principal_of(who)


def principal_of(who: id_tokens.Identity, view: CenterView | None = None) -> Principal:
    """Map a verified identity to the config user with its email: 403 unless that user
    exists, is active, is of the same kind, and (for people) the email is verified."""
    view = view or get_view()
    if not who.email_verified:
        raise ApiError(
            403, "email_not_verified", "verify your email address first", field="Authorization"
        )
    uid = view.user_by_email(who.email)
    user = view.cfg.users.get(uid) if uid else None
    if uid is None or user is None:
        raise ApiError(
            403,
            "unknown_user",
            "no user of this contact center has the signed-in email",
            field="Authorization",
        )
    if not user.active:
        raise ApiError(403, "user_deactivated", "this user is deactivated", field="Authorization")
    if user.kind != who.kind:
        how = "a Google service account" if user.kind == "service" else "Identity Platform"
        raise ApiError(
            403, "wrong_sign_in", f"this user signs in with {how}", field="Authorization"
        )
    return principal_for(uid, view, second_factor=who.second_factor is not None)


def _self_minted(token: str) -> Principal:
    if in_cloud():
        raise _bad("self-minted portal tokens are refused here; sign in with Identity Platform")
    try:
        claims = jwt.decode(
            token,
            settings().portal_token_secret.get_secret_value(),
            algorithms=["HS256"],
            options={"require": ["sub", "exp", "iat"]},
            issuer=ISSUER,
            leeway=settings().jwt_leeway_seconds,
        )
    except jwt.InvalidTokenError as exc:
        raise _bad(f"invalid portal token: {exc}") from None
    return principal_for(str(claims["sub"]), second_factor=claims.get("mfa") is True)


def issue(user_id: str, ttl: int = 8 * 3600, *, second_factor: bool = False) -> str:
    """A self-minted token for tests that run without the Auth emulator (never the cloud)."""
    if in_cloud():
        raise RuntimeError("self-minted portal tokens are for local tests only")
    now = int(time.time())
    claims: dict[str, object] = {"sub": user_id, "iat": now, "exp": now + ttl, "iss": ISSUER}
    if second_factor:
        claims["mfa"] = True
    return jwt.encode(claims, settings().portal_token_secret.get_secret_value(), algorithm="HS256")
