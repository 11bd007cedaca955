"""`POST /services/oauth2/token` [oauth] (client_credentials or password grant; the
instance_url is this server) and the API version list."""

from __future__ import annotations

import base64
import secrets

from flask import Blueprint, Response, jsonify, request

from emulators.standins.common import faultable, json_error
from emulators.standins.salesforce_standin.state import ORG_ID, USER_ID, state

bp = Blueprint("salesforce_oauth", __name__)


def base_url() -> str:
    return request.url_root.rstrip("/")


@bp.post("/services/oauth2/token")
@faultable("oauth")
def oauth_token() -> Response:
    s = state()
    form = request.form
    grant = form.get("grant_type")
    if grant not in ("client_credentials", "password"):
        return json_error(
            400,
            {
                "error": "unsupported_grant_type",
                "error_description": "grant type not supported",
            },
        )
    if form.get("client_id") != s.client_id or form.get("client_secret") != s.client_secret:
        creds = request.authorization
        if not (creds and creds.username == s.client_id and creds.password == s.client_secret):
            return json_error(
                400,
                {"error": "invalid_client", "error_description": "invalid client credentials"},
            )
    if grant == "password":
        user_ok = (s.username is None or form.get("username") == s.username) and (
            s.password is None or form.get("password") == s.password
        )
        if not form.get("username") or not user_ok:
            return json_error(
                400, {"error": "invalid_grant", "error_description": "authentication failure"}
            )
    token = f"{ORG_ID}!{secrets.token_urlsafe(48)}"
    with s.lock:
        s.tokens.add(token)
    issued = str(int(s.st.clock.timestamp() * 1000))
    return jsonify(
        {
            "access_token": token,
            "instance_url": base_url(),
            "id": f"{base_url()}/id/{ORG_ID}/{USER_ID}",
            "token_type": "Bearer",
            "issued_at": issued,
            "signature": base64.b64encode(secrets.token_bytes(32)).decode(),
            "scope": "api",
        }
    )


@bp.get("/services/data/")
def versions() -> Response:
    return jsonify([{"label": "Spring '24", "url": "/services/data/v60.0", "version": "60.0"}])
