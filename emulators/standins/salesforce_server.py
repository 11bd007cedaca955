"""Local stand-in for the Salesforce REST API (OAuth token, sObjects, ContentVersion, SOQL)
and the one SOAP partner call REST lacks, merge().

Enough of Salesforce for our CRM client: an OAuth token endpoint whose instance_url is
this server, ContentVersion inserts both as JSON (base64 VersionData) and as the
multipart "Insert or Update Blob Data" form (streamed to disk, never held in memory),
a SOQL subset (SELECT fields FROM Obj WHERE a = 'x' AND ... ORDER BY ... LIMIT n),
generic sObject create/read/update/delete, upsert by an external id field
(PATCH sobjects/<type>/<field>/<value>: 201 created / 200 updated, 300 when it matches
several), merge() of Contacts, Leads and Accounts over SOAP (the victim is deleted, its
related records re-parented; reading it then answers 404 ENTITY_IS_DELETED), and
Salesforce's error shapes.

The stand-in lives in the `salesforce_standin` package (state class plus one blueprint per
resource); this module is its entry point: `create_app`, `serve`, and
`python -m emulators.standins.salesforce_server --port N`.
"""

from __future__ import annotations

import argparse
from typing import Any

from emulators.standins.common import ServerHandle, run_main, serve_app
from emulators.standins.salesforce_standin.app import create_app
from emulators.standins.salesforce_standin.soql import Query, SoqlError, parse_soql
from emulators.standins.salesforce_standin.wire import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_PORT,
    id_key,
    sf_id,
)


def serve(port: int = 0, host: str = "127.0.0.1", **config: Any) -> ServerHandle:
    """Start the Salesforce stand-in in a background thread (port 0 = any free port)."""
    return serve_app(create_app(**config), port=port, host=host)


def _add_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--client-id", default=None, help="default: $SALESFORCE_CLIENT_ID")
    parser.add_argument("--client-secret", default=None, help="default: $SALESFORCE_CLIENT_SECRET")
    parser.add_argument("--lenient-ids", action="store_true")


def _config(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "client_id": args.client_id,
        "client_secret": args.client_secret,
        "lenient_ids": args.lenient_ids,
    }


def main(argv: list[str] | None = None) -> None:
    """`python -m emulators.standins.salesforce_server --port N`."""
    run_main("salesforce_server", create_app, DEFAULT_PORT, argv, _add_args, _config)


if __name__ == "__main__":
    main()


__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "Query",
    "SoqlError",
    "create_app",
    "id_key",
    "parse_soql",
    "serve",
    "sf_id",
]
