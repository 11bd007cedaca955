"""Fixtures for the stand-in tests: running servers, a webhook receiver, a Twilio client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from twilio.rest import Client

from emulators.standins import salesforce_server, twilio_server, zendesk_server
from emulators.standins.common import ServerHandle
from tests.helpers.standins import Receiver, StandinHttpClient


@pytest.fixture
def twilio() -> Iterator[ServerHandle]:
    handle = twilio_server.serve(0)
    yield handle
    handle.stop()


@pytest.fixture
def zendesk() -> Iterator[ServerHandle]:
    handle = zendesk_server.serve(0)
    yield handle
    handle.stop()


@pytest.fixture
def salesforce() -> Iterator[ServerHandle]:
    handle = salesforce_server.serve(0)
    yield handle
    handle.stop()


@pytest.fixture
def twilio_client(twilio: ServerHandle) -> Client:
    return Client(
        twilio_server.DEFAULT_ACCOUNT_SID,
        twilio_server.DEFAULT_AUTH_TOKEN,
        http_client=StandinHttpClient(twilio.url),
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.handle.stop()
