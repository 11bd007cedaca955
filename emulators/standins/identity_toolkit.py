"""Identity Platform for the cloud-shaped suite: securetoken ID tokens and account look-ups.

In the cloud a person signs in with Identity Platform and presents a Google-signed ID token
(RS256, iss https://securetoken.google.com/<project>, aud <project>, certificates at
https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com);
before a write the function asks the Identity Toolkit API (`accounts:lookup`) whether the
account is disabled or its sign-ins were revoked. This stand-in speaks those wire formats
with a key pair of its own, so cloud-shaped functions run the cloud's code and only the
certificates URL and the Identity Toolkit base URL differ.

Routes (the admin ones are those of the Firebase Authentication emulator, so a test can
drive either with the same client):
- `GET /robot/v1/metadata/x509/securetoken@system.gserviceaccount.com`: {key id: x509 PEM}.
- `POST /v1/accounts:signInWithPassword?key=`: {idToken, refreshToken, localId, ...}.
- `POST /v1/projects/{project}/accounts` (create), `.../accounts:update` (disableUser,
  validSince, emailVerified), `.../accounts:lookup` ({localId: [...]} or {email: [...]};
  needs an access token of the metadata stand-in, as the real API needs one).
- `DELETE /emulator/v1/projects/{project}/accounts`: forget every account.
- `POST /_control/id-token`: {email, second_factor?} => {idToken} of an existing account,
  for a sign-in with a second factor (the SMS / TOTP exchange itself is not modelled).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import jwt
from flask import Blueprint, Response, jsonify, request

CERTS_PATH = "/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
ISSUER_PREFIX = "https://securetoken.google.com/"
LIFETIME = 3600


@dataclass
class Account:
    local_id: str
    project: str
    email: str
    password: str
    email_verified: bool = True
    display_name: str | None = None
    disabled: bool = False
    valid_since: int = 0
    created_at: int = 0

    def wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "localId": self.local_id,
            "email": self.email,
            "emailVerified": self.email_verified,
            "disabled": self.disabled,
            "createdAt": str(self.created_at * 1000),
            "providerUserInfo": [
                {"providerId": "password", "email": self.email, "federatedId": self.email}
            ],
        }
        if self.valid_since:
            out["validSince"] = str(self.valid_since)
        if self.display_name:
            out["displayName"] = self.display_name
        return out


class Accounts:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_id: dict[str, Account] = {}

    def by_email(self, email: str) -> Account | None:
        email = email.lower()
        return next((a for a in self.by_id.values() if a.email.lower() == email), None)


def _error(status: int, message: str) -> Response:
    resp = jsonify({"error": {"code": status, "message": message, "errors": []}})
    resp.status_code = status
    return resp


def id_token(signer: Any, account: Account, second_factor: str | None = None) -> str:
    now = int(time.time())
    firebase: dict[str, Any] = {
        "identities": {"email": [account.email]},
        "sign_in_provider": "password",
    }
    if second_factor:
        firebase["sign_in_second_factor"] = second_factor
    claims: dict[str, Any] = {
        "iss": ISSUER_PREFIX + account.project,
        "aud": account.project,
        "auth_time": now,
        "user_id": account.local_id,
        "sub": account.local_id,
        "iat": now,
        "exp": now + LIFETIME,
        "email": account.email,
        "email_verified": account.email_verified,
        "firebase": firebase,
    }
    if account.display_name:
        claims["name"] = account.display_name
    return jwt.encode(claims, signer.key, algorithm="RS256", headers={"kid": signer.kid})


def blueprint(signer: Any, accounts: Accounts, access_ok: Any) -> Blueprint:
    """`signer`: key pair with .key, .kid, .cert_pem; `access_ok(token)`: whether an
    access token was issued by the metadata stand-in."""
    bp = Blueprint("identity_toolkit", __name__)

    @bp.get(CERTS_PATH)
    def certs() -> Response:
        resp = jsonify({signer.kid: signer.cert_pem})
        resp.headers["Cache-Control"] = "public, max-age=300, must-revalidate, no-transform"
        return resp

    @bp.post("/v1/accounts:signInWithPassword")
    def sign_in() -> Response:
        body = request.get_json(silent=True) or {}
        with accounts.lock:
            acct = accounts.by_email(str(body.get("email", "")))
            if acct is None:
                return _error(400, "EMAIL_NOT_FOUND")
            if acct.password != body.get("password"):
                return _error(400, "INVALID_PASSWORD")
            if acct.disabled:
                return _error(400, "USER_DISABLED")
            token = id_token(signer, acct)
        return jsonify(
            {
                "kind": "identitytoolkit#VerifyPasswordResponse",
                "localId": acct.local_id,
                "email": acct.email,
                "displayName": acct.display_name or "",
                "idToken": token,
                "registered": True,
                "refreshToken": secrets.token_urlsafe(32),
                "expiresIn": str(LIFETIME),
            }
        )

    @bp.post("/v1/projects/<project>/<method>")
    def project_method(project: str, method: str) -> Response:
        body = request.get_json(silent=True) or {}
        if method == "accounts":
            return _create(project, body)
        if method == "accounts:update":
            return _update(project, body)
        if method == "accounts:lookup":
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not access_ok(token.strip()):
                return _error(401, "Request is missing required authentication credential.")
            return _lookup(project, body)
        return _error(404, f"unknown method {method}")

    def _create(project: str, body: dict[str, Any]) -> Response:
        email = body.get("email")
        if not isinstance(email, str) or "@" not in email:
            return _error(400, "INVALID_EMAIL")
        with accounts.lock:
            if accounts.by_email(email):
                return _error(400, "EMAIL_EXISTS")
            acct = Account(
                local_id=secrets.token_hex(14),
                project=project,
                email=email,
                password=str(body.get("password", "")),
                email_verified=body.get("emailVerified") is True,
                display_name=body.get("displayName"),
                created_at=int(time.time()),
            )
            accounts.by_id[acct.local_id] = acct
        return jsonify({"kind": "identitytoolkit#SignupNewUserResponse", **acct.wire()})

    def _update(project: str, body: dict[str, Any]) -> Response:
        with accounts.lock:
            acct = accounts.by_id.get(str(body.get("localId", "")))
            if acct is None or acct.project != project:
                return _error(400, "USER_NOT_FOUND")
            if "disableUser" in body:
                acct.disabled = body["disableUser"] is True
            if "validSince" in body:
                acct.valid_since = int(body["validSince"])
            if "emailVerified" in body:
                acct.email_verified = body["emailVerified"] is True
        return jsonify({"kind": "identitytoolkit#SetAccountInfoResponse", "localId": acct.local_id})

    def _lookup(project: str, body: dict[str, Any]) -> Response:
        ids = body.get("localId") or []
        emails = [e.lower() for e in body.get("email") or []]
        with accounts.lock:
            found = [
                a.wire()
                for a in accounts.by_id.values()
                if a.project == project and (a.local_id in ids or a.email.lower() in emails)
            ]
        out: dict[str, Any] = {"kind": "identitytoolkit#GetAccountInfoResponse"}
        if found:  # the real API leaves "users" out when none matched
            out["users"] = found
        return jsonify(out)

    @bp.delete("/emulator/v1/projects/<project>/accounts")
    def clear(project: str) -> Response:
        with accounts.lock:
            for k in [k for k, a in accounts.by_id.items() if a.project == project]:
                del accounts.by_id[k]
        return jsonify({})

    @bp.post("/_control/id-token")
    def control_token() -> Response:
        body = request.get_json(silent=True) or {}
        with accounts.lock:
            acct = accounts.by_email(str(body.get("email", "")))
            if acct is None:
                return _error(400, "EMAIL_NOT_FOUND")
            factor = body.get("second_factor")
            token = id_token(signer, acct, factor if isinstance(factor, str) else None)
        return jsonify({"idToken": token})

    return bp
