"""Limits on what unauthenticated callers may cause: anyone can get a visitor token, so
every write an anonymous caller triggers is counted per client address and, where there
is one, per visitor id (core.rate_limit, one-minute windows across instances). Refused
callers get 429 with Retry-After before anything is written.

Signed-in end users are the company's customers (their JWT is signed with the company
secret) and are not throttled here.
"""

from __future__ import annotations

import flask

from core import rate_limit
from core.errors import too_many
from core.http import client_address
from core.settings import settings

WINDOW = 60


def _all(*checks: tuple[str, str, int]) -> None:
    """Take a slot from each limit in turn; the first one spent refuses the request."""
    for scope, key, limit in checks:
        wait = rate_limit.take(scope, key, limit, window_seconds=WINDOW)
        if wait is not None:
            raise too_many(int(wait))


def anonymous_session(request: flask.Request, visitor_id: str) -> None:
    """An anonymous visitor starts a session (chat)."""
    s = settings()
    _all(
        ("anon_session_addr", client_address(request), s.anon_chats_per_address),
        ("anon_session_visitor", visitor_id, s.anon_chats_per_visitor),
    )


def new_visitor(request: flask.Request) -> None:
    """A new temporary visitor id is issued."""
    _all(("new_visitor_addr", client_address(request), settings().new_visitors_per_address))
