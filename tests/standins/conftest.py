"""Fixtures for the stand-in tests: running servers, a webhook receiver, a Twilio client."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, request
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from emulators.standins import salesforce_server, twilio_server, zendesk_server
from emulators.standins.common import ServerHandle, serve_app


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


class StandinHttpClient(TwilioHttpClient):
    """Points the official client at the stand-in by rewriting the API host."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        url = url.replace("https://api.twilio.com", self.base_url)
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def twilio_client(twilio: ServerHandle) -> Client:
    return Client(
        twilio_server.DEFAULT_ACCOUNT_SID,
        twilio_server.DEFAULT_AUTH_TOKEN,
        http_client=StandinHttpClient(twilio.url),
    )


class Receiver:
    """A tiny HTTP server that records the webhooks it receives."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.event = threading.Event()
        self.app = Flask("receiver")
        self.status = 200

        @self.app.route("/hook", methods=["GET", "POST"])
        @self.app.route("/hook/<path:rest>", methods=["GET", "POST"])
        def hook(rest: str = "") -> tuple[str, int]:
            self.calls.append(
                {
                    "url": request.url,
                    "form": request.form.to_dict(),
                    "args": request.args.to_dict(),
                    "signature": request.headers.get("X-Twilio-Signature"),
                }
            )
            self.event.set()
            return "<Response/>", self.status

        self.handle = serve_app(self.app)
        self.url = f"{self.handle.url}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.handle.stop()
