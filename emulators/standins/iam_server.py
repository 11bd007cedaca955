"""Local stand-in for Google's service-account ID tokens (automation callers).

- `POST /v1/projects/-/serviceAccounts/{email}:generateIdToken` with `{"audience",
  "includeEmail"}` answers `{"token"}`, as the IAM Credentials API does for a caller
  allowed to act as that service account (who may do so is not modelled here).
- `GET /oauth2/v1/certs`: the signing certificates by key id, in the format and with the
  caching headers of https://www.googleapis.com/oauth2/v1/certs.

Tokens are RS256, issuer https://accounts.google.com, signed by a key made at start, so
functions verify them with the same code as in the cloud, only SERVICE_TOKEN_CERTS_URL
differs.

The same process stands in for two more Google endpoints the cloud-shaped suite needs:
Identity Platform's securetoken ID tokens and account look-ups (identity_toolkit.py) and a
Cloud Run instance's metadata server (metadata_server.py).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import secrets
import time
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import Flask, Response, jsonify, request

from emulators.standins.common import ServerHandle, serve_app

DEFAULT_PORT = 8183
ISSUER = "https://accounts.google.com"
LIFETIME = 3600
SUFFIX = ":generateIdToken"


class Signer:
    def __init__(self, common_name: str = "local-iam-stand-in") -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(20)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=14))
            .sign(self.key, hashes.SHA256())
        )
        self.cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()

    def id_token(self, email: str, audience: str, include_email: bool, ttl: int = LIFETIME) -> str:
        now = int(time.time())
        # A service account's unique id: 21 digits, stable per email.
        sub = "1" + str(int(hashlib.sha256(email.encode()).hexdigest(), 16))[:20]
        claims: dict[str, Any] = {
            "aud": audience,
            "azp": sub,
            "sub": sub,
            "iss": ISSUER,
            "iat": now,
            "exp": now + ttl,
        }
        if include_email:
            claims |= {"email": email, "email_verified": True}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})


def _error(status: int, message: str, reason: str) -> Response:
    resp = jsonify({"error": {"code": status, "message": message, "status": reason}})
    resp.status_code = status
    return resp


def create_app(signer: Signer | None = None) -> Flask:
    from emulators.standins import identity_toolkit, metadata_server

    app = Flask("iam_standin")
    app.extensions["signer"] = s = signer or Signer()
    # Google signs securetoken ID tokens with keys of their own, published at another URL.
    app.extensions["securetoken"] = st = Signer("local-securetoken")
    app.extensions["accounts"] = accounts = identity_toolkit.Accounts()
    app.extensions["access_tokens"] = tokens = metadata_server.AccessTokens()
    app.register_blueprint(identity_toolkit.blueprint(st, accounts, tokens.valid))
    app.register_blueprint(metadata_server.blueprint(tokens))

    @app.get("/oauth2/v1/certs")
    def certs() -> Response:
        resp = jsonify({s.kid: s.cert_pem})
        resp.headers["Cache-Control"] = "public, max-age=300, must-revalidate, no-transform"
        return resp

    @app.post("/v1/projects/-/serviceAccounts/<name>")
    def generate(name: str) -> Response:
        if not name.endswith(SUFFIX):
            return _error(404, "unknown method", "NOT_FOUND")
        email = name[: -len(SUFFIX)]
        body = request.get_json(silent=True) or {}
        audience = body.get("audience")
        if "@" not in email:
            return _error(400, "the service account must be named by its email", "INVALID_ARGUMENT")
        if not isinstance(audience, str) or not audience:
            return _error(400, "audience is required", "INVALID_ARGUMENT")
        include = body.get("includeEmail") is True
        return jsonify({"token": s.id_token(email, audience, include)})

    return app


def serve(port: int = 0, host: str = "127.0.0.1") -> ServerHandle:
    """Start the stand-in in a background thread (port 0 = any free port)."""
    return serve_app(create_app(), port=port, host=host)


def generate_id_token(base_url: str, email: str, audience: str) -> str:
    """Ask the stand-in (or the real IAM Credentials API, given its base URL and a
    credential) for an ID token of a service account, email included."""
    import requests

    r = requests.post(
        f"{base_url}/v1/projects/-/serviceAccounts/{email}{SUFFIX}",
        json={"audience": audience, "includeEmail": True},
        timeout=10,
    )
    r.raise_for_status()
    return str(r.json()["token"])


def main(argv: list[str] | None = None) -> None:
    """`python -m emulators.standins.iam_server --port N`."""
    from werkzeug.serving import make_server

    parser = argparse.ArgumentParser(prog="python -m emulators.standins.iam_server")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 = any free port")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    server = make_server(args.host, args.port, create_app(), threaded=True)
    print(f"ready http://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
