"""The Salesforce stand-in's Flask app: its state, Bearer auth on `/services/data/` and one
blueprint per resource."""

from __future__ import annotations

from flask import Flask, Response, request

from emulators.standins.common import Standin, env, install
from emulators.standins.salesforce_standin import (
    content_versions,
    control,
    oauth,
    query,
    soap,
    sobjects,
)
from emulators.standins.salesforce_standin.state import EXTENSION, SalesforceState
from emulators.standins.salesforce_standin.wire import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    fault_error,
    sf_error,
)

BLUEPRINTS = (oauth.bp, content_versions.bp, sobjects.bp, soap.bp, query.bp, control.bp)


def create_app(
    client_id: str | None = None,
    client_secret: str | None = None,
    username: str | None = None,
    password: str | None = None,
    lenient_ids: bool = False,
) -> Flask:
    """Build the Salesforce stand-in. Credentials default to SALESFORCE_CLIENT_ID/SECRET.

    `lenient_ids`: PATCH on an unknown id creates the record instead of answering 404.
    """
    app = Flask("salesforce_standin")
    st: Standin = install(app, fault_error, limit_status=403)
    state = SalesforceState(
        st,
        client_id or env("SALESFORCE_CLIENT_ID", DEFAULT_CLIENT_ID),
        client_secret or env("SALESFORCE_CLIENT_SECRET", DEFAULT_CLIENT_SECRET),
        username or env("SALESFORCE_USERNAME", "") or None,
        password or env("SALESFORCE_PASSWORD", "") or None,
        lenient_ids,
    )
    app.extensions[EXTENSION] = state
    st.on_reset(state.reset)

    # Every REST path under /services/data/<version>/, known route or not, needs a token.
    @app.before_request
    def _auth() -> Response | None:
        if not request.path.startswith("/services/data/") or request.path == "/services/data/":
            return None
        header = request.headers.get("Authorization", "")
        scheme, _, tok = header.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or tok.strip() not in state.tokens:
            return sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid")
        return None

    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    return app
