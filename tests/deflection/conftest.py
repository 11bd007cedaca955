"""Helpers for the deflection tests: signed Twilio posts to the local function, waiting for
session marks (written behind the answer), demo-config variants, fixed instants."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest
import requests

from emulators.suite import Suite
from tests.helpers.common import twilio_signed
from tests.helpers.deflection import FN


@pytest.fixture
def twilio_post(functions: Suite) -> Callable[..., requests.Response]:
    def _post(
        path: str, params: dict[str, str], query: dict[str, str] | None = None, signed: bool = True
    ) -> requests.Response:
        url = functions.function_url(FN) + path
        if query:
            url += "?" + urlencode(query)
        headers = twilio_signed(url, params) if signed else {}
        return requests.post(url, data=params, headers=headers, timeout=30)

    return _post


@pytest.fixture
def fn_url(functions: Suite) -> str:
    return functions.function_url(FN)
