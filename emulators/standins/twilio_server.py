"""Local stand-in for Twilio's Voice/Messaging REST API (2010-04-01) with fault injection.

The stand-in lives in the `twilio_standin` package (state class plus one blueprint per
resource); this module is its entry point: `create_app`, `serve`, and
`python -m emulators.standins.twilio_server --port N`.
"""

from __future__ import annotations

import argparse
from typing import Any

from emulators.standins.common import ServerHandle, run_main, serve_app, standin_of
from emulators.standins.twilio_standin.app import create_app
from emulators.standins.twilio_standin.media import (
    Recording,
    expected_media,
    second_bytes,
    second_marker,
)
from emulators.standins.twilio_standin.wire import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_AUTH_TOKEN,
    DEFAULT_PORT,
)


def serve(port: int = 0, host: str = "127.0.0.1", **config: Any) -> ServerHandle:
    """Start the Twilio stand-in in a background thread (port 0 = any free port)."""
    return serve_app(create_app(**config), port=port, host=host)


def _add_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--account-sid", default=None, help="default: $TWILIO_ACCOUNT_SID")
    parser.add_argument("--auth-token", default=None, help="default: $TWILIO_AUTH_TOKEN")
    parser.add_argument("--sync-callbacks", action="store_true")


def _config(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "account_sid": args.account_sid,
        "auth_token": args.auth_token,
        "sync_callbacks": args.sync_callbacks,
    }


def main(argv: list[str] | None = None) -> None:
    """`python -m emulators.standins.twilio_server --port N`."""
    run_main("twilio_server", create_app, DEFAULT_PORT, argv, _add_args, _config)


if __name__ == "__main__":
    main()


__all__ = [
    "DEFAULT_ACCOUNT_SID",
    "DEFAULT_AUTH_TOKEN",
    "Recording",
    "create_app",
    "expected_media",
    "second_bytes",
    "second_marker",
    "serve",
    "standin_of",
]
