"""Fixtures for the Settings API tests: the demo center, an in-process client, requests
with portal tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers.settings import PUBLIC, Api


@pytest.fixture
def api(app_client: Callable[..., Any], portal_token: Callable[[str], str]) -> Api:
    return Api(app_client("settings_http", PUBLIC), portal_token)
