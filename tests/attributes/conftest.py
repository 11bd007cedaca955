"""Fixtures for the attributes capability: a demo config with SIP redirection, Apps API
credentials, session factories and the Zendesk stand-in's control API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.helpers.attributes import with_redirection


@pytest.fixture
def attrs_config(apply_config: Callable[..., Any]) -> dict[str, Any]:
    cfg = with_redirection()
    apply_config(cfg)
    return cfg


@pytest.fixture(autouse=True)
def _generous_rate_limit(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Most tests are not about the rate limit; test_rate_limit sets it back to 10.

    The served functions are started first so they keep the real limit (they inherit
    this process's environment when they start)."""
    from core import caches

    if "suite" in request.fixturenames:
        request.getfixturevalue("functions")

    monkeypatch.setenv("APPS_API_RATE_LIMIT", "100000")
    caches.reset()
    yield
    caches.reset()
