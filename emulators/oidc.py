"""A local OIDC issuer standing in for Google's, and the relay that attaches its tokens.

In the cloud, Pub/Sub push subscriptions and Cloud Tasks attach a Google-signed OIDC ID
token (iss https://accounts.google.com, aud, email, email_verified) to every delivery and
the functions verify it with google-auth against Google's certificates. Neither the
gcloud Pub/Sub emulator nor gcloud-tasks-emulator attaches one (the tasks emulator keeps
a task's `oidc_token` but never mints it), so the cloud-shaped suite runs this process:

- the issuer: its own RSA key pair, certificates at /oauth2/v1/certs in the format of
  Google's default certs URL ({key id: x509 PEM}) and at /oauth2/v3/certs as a JWK set.
  Functions get OIDC_CERTS_URL pointing here, so verification is the same google-auth
  code path as in the cloud;
- Pub/Sub push: each push subscription's endpoint is /push?to=<function URL>; the relay
  adds a token for the push account (audience: the function URL, as Terraform's
  push_config.oidc_token sets it) and passes the function's status back, so the
  emulator's own ack, retry and redelivery stay in charge;
- Cloud Tasks: the tasks emulator dispatches through this process as its HTTP proxy
  (http_proxy); the relay adds a token for the tasks account with the target's base URL
  as audience (recordings/tasks.py sets that audience on every task).

Run: python -m emulators.oidc --port P --dir D --push-account A --tasks-account B
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ISSUER = "https://accounts.google.com"
KEY_FILE = "oidc-key.pem"
CERT_FILE = "oidc-cert.pem"
TOKEN_TTL = 3600
FORWARD_TIMEOUT = 1800  # the longest function timeout of the manifest
HOP_BY_HOP = {
    "connection",
    "proxy-connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "upgrade",
    "proxy-authorization",
    "authorization",
    "host",
    "content-length",
}


class Issuer:
    """The key pair (made once per directory) and token minting."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        key_path, cert_path = directory / KEY_FILE, directory / CERT_FILE
        if not key_path.exists():
            key_pem, cert_pem = _new_key_pair()
            key_path.write_bytes(key_pem)
            key_path.chmod(0o600)
            cert_path.write_bytes(cert_pem)
        self.key_pem = key_path.read_bytes()
        self.cert_pem = cert_path.read_bytes()
        self.kid = hashlib.sha256(self.cert_pem).hexdigest()[:40]

    def mint(
        self,
        audience: str,
        email: str,
        *,
        issuer: str = ISSUER,
        ttl: int = TOKEN_TTL,
        email_verified: bool = True,
    ) -> str:
        from google.auth import crypt, jwt

        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": audience,
            "sub": str(int(hashlib.sha256(email.encode()).hexdigest()[:15], 16)),
            "azp": email,
            "email": email,
            "email_verified": email_verified,
            "iat": now,
            "exp": now + ttl,
        }
        signer = crypt.RSASigner.from_string(self.key_pem, self.kid)
        return jwt.encode(signer, claims).decode()

    def x509_certs(self) -> dict[str, str]:
        return {self.kid: self.cert_pem.decode()}

    def jwks(self) -> dict[str, Any]:
        from cryptography import x509

        pub = x509.load_pem_x509_certificate(self.cert_pem).public_key().public_numbers()

        def b64(n: int) -> str:
            raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        key = {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid}
        return {"keys": [key | {"n": b64(pub.n), "e": b64(pub.e)}]}


def _new_key_pair() -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "local-oidc-issuer")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def base_url(url: str) -> str:
    u = urllib.parse.urlsplit(url)
    return f"{u.scheme}://{u.netloc}"


class Relay(BaseHTTPRequestHandler):
    issuer: Issuer
    push_account: str
    tasks_account: str
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt: str, *args: Any) -> None:  # one line per delivery, no token
        print(f"relay: {fmt % args}", flush=True)

    def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj).encode())

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == "/oauth2/v1/certs":
            self._json(200, self.issuer.x509_certs())
        elif path == "/oauth2/v3/certs":
            self._json(200, self.issuer.jwks())
        elif path.startswith("http://"):
            self._forward("GET", self.path, self.tasks_account, base_url(self.path))
        else:
            self._json(404, {"error": {"code": "not_found", "message": f"no route {path}"}})

    def do_POST(self) -> None:
        if self.path.startswith("http://"):  # proxied by the tasks emulator
            self._forward("POST", self.path, self.tasks_account, base_url(self.path))
            return
        u = urllib.parse.urlsplit(self.path)
        to = urllib.parse.parse_qs(u.query).get("to", [""])[0]
        if u.path == "/push" and to.startswith("http://"):
            self._forward("POST", to.rstrip("/") + "/", self.push_account, to)
            return
        self._json(404, {"error": {"code": "not_found", "message": f"no route {u.path}"}})

    def _forward(self, method: str, url: str, account: str, audience: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Authorization"] = "Bearer " + self.issuer.mint(audience, account)
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=FORWARD_TIMEOUT) as resp:
                status, data = resp.status, resp.read()
                ctype = resp.headers.get("Content-Type", "application/octet-stream")
        except urllib.error.HTTPError as exc:
            status, data = exc.code, exc.read()
            ctype = exc.headers.get("Content-Type", "application/octet-stream")
        except OSError as exc:
            self._json(502, {"error": {"code": "bad_gateway", "message": type(exc).__name__}})
            return
        self._send(status, data, ctype)


def serve(port: int, directory: Path, push_account: str, tasks_account: str) -> None:
    handler = type(
        "BoundRelay",
        (Relay,),
        {
            "issuer": Issuer(directory),
            "push_account": push_account,
            "tasks_account": tasks_account,
        },
    )
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    t.join()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m emulators.oidc")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", type=Path, required=True)
    ap.add_argument("--push-account", required=True)
    ap.add_argument("--tasks-account", required=True)
    a = ap.parse_args(argv)
    serve(a.port, a.dir, a.push_account, a.tasks_account)


if __name__ == "__main__":
    main()
