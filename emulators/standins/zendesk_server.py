"""Local stand-in for the Zendesk Support API (v2) with fault injection.

The stand-in lives in the `zendesk_standin` package (state class plus one blueprint per
resource); this module is its entry point: `create_app`, `serve`, and
`python -m emulators.standins.zendesk_server --port N`.
"""

from __future__ import annotations

import argparse
from typing import Any

from emulators.standins.common import ServerHandle, run_main, serve_app
from emulators.standins.zendesk_standin.app import create_app
from emulators.standins.zendesk_standin.wire import (
    DEFAULT_API_TOKEN,
    DEFAULT_EMAIL,
    DEFAULT_PORT,
    TOKEN_TTL_SECONDS,
)


def serve(port: int = 0, host: str = "127.0.0.1", **config: Any) -> ServerHandle:
    """Start the Zendesk stand-in in a background thread (port 0 = any free port)."""
    return serve_app(create_app(**config), port=port, host=host)


def _add_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", default=None, help="default: $ZENDESK_EMAIL")
    parser.add_argument("--api-token", default=None, help="default: $ZENDESK_API_TOKEN")


def _config(args: argparse.Namespace) -> dict[str, Any]:
    return {"email": args.email, "api_token": args.api_token}


def main(argv: list[str] | None = None) -> None:
    """`python -m emulators.standins.zendesk_server --port N`."""
    run_main("zendesk_server", create_app, DEFAULT_PORT, argv, _add_args, _config)


if __name__ == "__main__":
    main()


__all__ = ["DEFAULT_API_TOKEN", "DEFAULT_EMAIL", "TOKEN_TTL_SECONDS", "create_app", "serve"]
