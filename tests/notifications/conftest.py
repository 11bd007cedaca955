"""Fixtures for the notifications tests: a three-level queue tree, MP3 bytes built frame by
frame (independently of the production parser), and delivery of real Pub/Sub messages."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers.notifications import PUBLIC, TREE


@pytest.fixture
def tree(apply_config: Callable[..., Any]) -> dict[str, Any]:
    cfg = copy.deepcopy(TREE)
    apply_config(cfg)
    return cfg


@pytest.fixture
def client(app_client: Callable[..., Any]) -> Any:
    return app_client("notifications_http", PUBLIC)


@pytest.fixture
def auth(portal_token: Callable[[str], str]) -> Callable[[str], dict[str, str]]:
    return lambda user: {"Authorization": f"Bearer {portal_token(user)}"}
