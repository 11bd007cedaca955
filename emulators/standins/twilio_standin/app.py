"""The Twilio stand-in's Flask app: its state, Basic auth on the REST API and one
blueprint per resource."""

from __future__ import annotations

from flask import Flask, Response, request

from emulators.standins.common import Standin, env, install
from emulators.standins.twilio_standin import (
    calls,
    conferences,
    control,
    messages,
    participants,
    recordings,
)
from emulators.standins.twilio_standin.callbacks import CallbackDispatcher
from emulators.standins.twilio_standin.state import EXTENSION, TwilioState, not_found
from emulators.standins.twilio_standin.wire import (
    API_VERSION,
    DEFAULT_ACCOUNT_SID,
    DEFAULT_AUTH_TOKEN,
    fault_error,
    strip_json,
    twilio_error,
)

BLUEPRINTS = (calls.bp, conferences.bp, participants.bp, recordings.bp, messages.bp, control.bp)


def create_app(
    account_sid: str | None = None,
    auth_token: str | None = None,
    api_keys: dict[str, str] | None = None,
    recording_bytes_per_second: int = 16000,
    sync_callbacks: bool = False,
    callback_timeout: float = 10.0,
) -> Flask:
    """Build the Twilio stand-in. Credentials default to TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN."""
    account_sid = account_sid or env("TWILIO_ACCOUNT_SID", DEFAULT_ACCOUNT_SID)
    auth_token = auth_token or env("TWILIO_AUTH_TOKEN", DEFAULT_AUTH_TOKEN)

    app = Flask("twilio_standin")
    st: Standin = install(app, fault_error, limit_status=429)
    dispatcher = CallbackDispatcher(auth_token, callback_timeout, sync_callbacks)
    st.on_close(dispatcher.close)
    state = TwilioState(
        st, account_sid, auth_token, dict(api_keys or {}), recording_bytes_per_second, dispatcher
    )
    app.extensions[EXTENSION] = state
    st.on_reset(state.reset)

    # Every path under the API version, known route or not, asks for credentials first.
    @app.before_request
    def _auth() -> Response | None:
        if not request.path.startswith(f"/{API_VERSION}/"):
            return None
        creds = request.authorization
        ok = creds is not None and state.authorized(creds.username or "", creds.password or "")
        if not ok:
            return twilio_error(
                401,
                20003,
                "Authentication Error - invalid username",
                {"WWW-Authenticate": 'Basic realm="Twilio API"'},
            )
        parts = request.path.split("/")
        if len(parts) > 3 and parts[2] == "Accounts" and strip_json(parts[3]) != account_sid:
            return not_found()
        return None

    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    return app
