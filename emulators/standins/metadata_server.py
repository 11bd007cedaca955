"""The metadata server of a Cloud Run instance, for the cloud-shaped suite.

In the cloud a function's Application Default Credentials come from the metadata server:
its runtime service account's email, access tokens, the project id. google-auth finds it
through GCE_METADATA_HOST / GCE_METADATA_IP, so a cloud-shaped function is given
`GCE_METADATA_HOST=<stand-in>/sa/<its service account>` and `GCE_METADATA_IP=<stand-in>`
and runs the cloud's credential code unchanged. Access tokens issued here are accepted by
the stand-in's Identity Toolkit look-up (and by nothing else: they are local strings).

Routes (every request must send `Metadata-Flavor: Google`, as on Google's servers):
- `GET /`: the ping google-auth sends to decide it runs on Google Cloud.
- `GET /sa/{email}/computeMetadata/v1/instance/service-accounts/{default|email}/`
  (`?recursive=true`), `.../email`, `.../token`; `.../project/project-id`;
  `.../universe/universe-domain`.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

from flask import Blueprint, Response, jsonify, request

FLAVOR = {"Metadata-Flavor": "Google"}
TOKEN_TTL = 3599
SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]


class AccessTokens:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, float]] = {}

    def issue(self, email: str) -> str:
        token = "ya29.local-" + secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = (email, time.time() + TOKEN_TTL)
        return token

    def valid(self, token: str) -> bool:
        with self._lock:
            hit = self._tokens.get(token)
        return hit is not None and hit[1] > time.time()


def _text(value: str) -> Response:
    return Response(value, headers={**FLAVOR, "Content-Type": "application/text"})


def _json(obj: Any) -> Response:
    resp = jsonify(obj)
    resp.headers.update(FLAVOR)
    return resp


def _not_found() -> Response:
    return Response("not found", status=404, headers=FLAVOR)


def blueprint(tokens: AccessTokens) -> Blueprint:
    bp = Blueprint("metadata", __name__)

    @bp.before_request
    def flavor() -> Response | None:
        if request.headers.get("Metadata-Flavor") != "Google":
            return Response("Missing Metadata-Flavor: Google header", status=403)
        return None

    @bp.get("/")
    def ping() -> Response:
        return _text("ok")

    @bp.route("/sa/<email>/computeMetadata/v1/<path:rest>", methods=["GET", "POST"])
    def metadata(email: str, rest: str) -> Response:
        rest = rest.rstrip("/")
        project = email.partition("@")[2].removesuffix(".iam.gserviceaccount.com")
        if rest == "project/project-id":
            return _text(project)
        if rest == "universe/universe-domain":
            return _text("googleapis.com")
        parts = rest.split("/")
        if parts[:2] != ["instance", "service-accounts"] or len(parts) < 3:
            return _not_found()
        if parts[2] not in ("default", email):
            return _not_found()
        leaf = parts[3] if len(parts) > 3 else ""
        if leaf == "":
            return _json({"aliases": ["default"], "email": email, "scopes": SCOPES})
        if leaf == "email":
            return _text(email)
        if leaf == "token":
            token = tokens.issue(email)
            return _json({"access_token": token, "expires_in": TOKEN_TTL, "token_type": "Bearer"})
        if leaf == "scopes":
            return _text("\n".join(SCOPES))
        return _not_found()

    return bp
