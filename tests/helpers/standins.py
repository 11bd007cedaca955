"""Helpers of the standins tests (plain functions, constants and classes; the fixtures
are in tests/standins/conftest.py)."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, request
from twilio.http.http_client import TwilioHttpClient

from emulators.standins.common import serve_app


class StandinHttpClient(TwilioHttpClient):
    """Points the official client at the stand-in by rewriting the API host."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        url = url.replace("https://api.twilio.com", self.base_url)
        return super().request(method, url, *args, **kwargs)


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
