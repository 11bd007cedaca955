"""SmartActions fixtures: live SDK sessions, media samples, an injectable clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.helpers.smartactions import MOBILE_CALL, SA, bearer, start_sdk_call


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """SmartActions' notion of now, moved by tests (expiry, URL lifetimes, retention)."""
    import time

    from smartactions import clock as sa_clock

    class Clock:
        offset = 0.0

        def advance(self, seconds: float) -> None:
            self.offset += seconds

        def now(self) -> float:
            return time.time() + self.offset

    c = Clock()
    monkeypatch.setattr(sa_clock, "now", c.now)
    return c


@pytest.fixture(autouse=True)
def _fresh_sa_settings() -> Iterator[None]:
    from core import caches

    caches.reset()
    yield
    caches.reset()


@pytest.fixture
def sa(app_client: Callable[[str], Any]) -> Any:
    return app_client(SA)


@pytest.fixture
def live_session(
    suite: Any,
    demo: Any,
    app_client: Callable[[str], Any],
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
) -> Callable[..., str]:
    """Start an SDK chat (or, channel "mobile_call", a mobile SDK call) as an end user and
    assign it to an agent; returns its id."""

    from core.auth.portal import issue as issue_local

    def _make(
        identifier: str = "cust-1",
        channel: str = "mobile",
        queue_id: str = "billing-refunds",
        agent: str = "alex",
    ) -> str:
        sessions = app_client("sessions_http")
        if channel == MOBILE_CALL:
            sid, _ = start_sdk_call(suite, app_client, sdk_token(identifier), queue_id)
        else:
            r = sessions.post(
                "/sdk/chats",
                json={"channel": channel, "queue_id": queue_id},
                headers=bearer(sdk_token(identifier)),
            )
            assert r.status_code == 201, r.get_json()
            sid = r.get_json()["session"]["id"]
        r = sessions.post(
            f"/agent/sessions/{sid}/assign",
            json={"agent_id": agent},
            # routing assigns; an in-process call takes the self-minted token in every mode
            headers=bearer(issue_local("router")),
        )
        assert r.status_code == 200, r.get_json()
        return sid

    return _make
