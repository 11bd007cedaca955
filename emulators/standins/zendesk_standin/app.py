"""The Zendesk stand-in's Flask app: its state, API-token Basic auth on `/api/v2/` and
one blueprint per resource."""

from __future__ import annotations

from flask import Flask, Response, request

from emulators.standins.common import Standin, env, install, json_error
from emulators.standins.zendesk_standin import attachments, control, tickets, uploads, users
from emulators.standins.zendesk_standin.state import EXTENSION, ZendeskState
from emulators.standins.zendesk_standin.wire import (
    DEFAULT_API_TOKEN,
    DEFAULT_EMAIL,
    TOKEN_TTL_SECONDS,
    fault_error,
)

BLUEPRINTS = (uploads.bp, attachments.bp, tickets.bp, users.bp, control.bp)


def create_app(
    email: str | None = None,
    api_token: str | None = None,
    token_ttl_seconds: int = TOKEN_TTL_SECONDS,
) -> Flask:
    """Build the Zendesk stand-in. Credentials default to ZENDESK_EMAIL/ZENDESK_API_TOKEN."""
    email = email or env("ZENDESK_EMAIL", DEFAULT_EMAIL)
    api_token = api_token or env("ZENDESK_API_TOKEN", DEFAULT_API_TOKEN)
    app = Flask("zendesk_standin")
    st: Standin = install(app, fault_error, limit_status=429)
    state = ZendeskState(st, email, api_token, token_ttl_seconds)
    app.extensions[EXTENSION] = state
    st.on_reset(state.reset)

    # Every path under /api/v2/, known route or not, asks for credentials first.
    @app.before_request
    def _auth() -> Response | None:
        if not request.path.startswith("/api/v2/"):
            return None
        creds = request.authorization
        if creds is None or not state.authorized(creds.username, creds.password):
            return json_error(
                401,
                {"error": "Couldn't authenticate you"},
                {"WWW-Authenticate": 'Basic realm="Web Password"'},
            )
        return None

    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    return app
