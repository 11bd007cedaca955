"""Sign-in on the local suite: the Firebase Authentication emulator (Identity Platform).

The emulator comes from the `firebase-tools` npm package pinned in emulators/auth/
(`npm ci` there; scripts/setup.sh does it) and runs offline on the machine's Node. Its ID
tokens are unsigned; functions accept them only because the suite sets
FIREBASE_AUTH_EMULATOR_HOST (the cloud refuses to start with it).

Everything here speaks the emulator's REST API, the one the browser SDK uses:
`accounts:signInWithPassword` with any API key, and the emulator's admin endpoints
(`Authorization: Bearer owner`) to create, disable or revoke accounts.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
FIREBASE_BIN = ROOT / "emulators" / "auth" / "node_modules" / ".bin" / "firebase"
API_KEY = "fake-api-key"  # the emulator accepts any key
ADMIN = {"Authorization": "Bearer owner"}  # the emulator's admin credential
# Every demo person signs in with this password on the emulator (never in the cloud).
DEMO_PASSWORD = "demo-password-1"
IDT = "identitytoolkit.googleapis.com"
# Keep firebase-tools offline and quiet: no update check, no usage reporting.
OFFLINE_ENV = {
    "NO_UPDATE_NOTIFIER": "1",
    "FIREBASE_CLI_DISABLE_UPDATE_CHECK": "true",
    "FIREBASE_CLI_EXPERIMENTS": "",
    "CI": "true",
}


def missing_prerequisites() -> list[str]:
    problems = []
    if not shutil.which("node"):
        problems.append("node is not on PATH (the Firebase Authentication emulator needs it)")
    if not FIREBASE_BIN.exists():
        problems.append(
            "firebase-tools is not installed in emulators/auth (run `make setup`, "
            "or `npm ci` in emulators/auth)"
        )
    return problems


def write_config(directory: Path, auth_port: int, hub_port: int, logging_port: int) -> Path:
    """firebase.json for an auth-only emulator on chosen ports (no UI)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "firebase.json").write_text(
        json.dumps(
            {
                "emulators": {
                    "auth": {"host": "127.0.0.1", "port": auth_port},
                    "hub": {"host": "127.0.0.1", "port": hub_port},
                    "logging": {"host": "127.0.0.1", "port": logging_port},
                    "ui": {"enabled": False},
                    "singleProjectMode": True,
                }
            },
            indent=2,
        )
    )
    return directory


def argv(project: str) -> list[str]:
    return [str(FIREBASE_BIN), "emulators:start", "--only", "auth", "--project", project]


class AuthEmulator:
    """Client of a running Auth emulator at host (host:port, as FIREBASE_AUTH_EMULATOR_HOST)."""

    idt = IDT + "/"  # where the emulator serves the Identity Toolkit API

    def __init__(self, host: str, project: str) -> None:
        self.base = f"http://{host}"
        self.project = project

    def _post(self, path: str, body: dict[str, Any], admin: bool = False) -> dict[str, Any]:
        url = f"{self.base}/{path}" + ("" if admin else f"?key={API_KEY}")
        r = requests.post(url, json=body, headers=ADMIN if admin else None, timeout=10)
        if r.status_code != 200:
            raise AuthError(r.status_code, r.json().get("error", {}).get("message", r.text))
        return r.json()

    # -- admin ---------------------------------------------------------------------------
    def clear(self) -> None:
        requests.delete(
            f"{self.base}/emulator/v1/projects/{self.project}/accounts", timeout=10
        ).raise_for_status()

    def create_user(
        self, email: str, password: str, *, verified: bool = True, name: str | None = None
    ) -> str:
        body: dict[str, Any] = {"email": email, "password": password, "emailVerified": verified}
        if name:
            body["displayName"] = name
        return self._post(f"{self.idt}v1/projects/{self.project}/accounts", body, admin=True)[
            "localId"
        ]

    def update_user(self, local_id: str, **fields: Any) -> None:
        self._post(
            f"{self.idt}v1/projects/{self.project}/accounts:update",
            {"localId": local_id, **fields},
            admin=True,
        )

    def disable(self, local_id: str) -> None:
        self.update_user(local_id, disableUser=True)

    def revoke(self, local_id: str) -> None:
        """Refresh tokens and ID tokens issued before now stop working (validSince)."""
        self.update_user(local_id, validSince=str(int(time.time()) + 1))

    def verification_codes(self) -> list[dict[str, Any]]:
        r = requests.get(
            f"{self.base}/emulator/v1/projects/{self.project}/verificationCodes", timeout=10
        )
        r.raise_for_status()
        return list(r.json().get("verificationCodes") or [])

    # -- as a browser does --------------------------------------------------------------------
    def sign_in(self, email: str, password: str) -> dict[str, Any]:
        """accounts:signInWithPassword: {idToken, refreshToken, ...} or, when the account has
        a second factor enrolled, {mfaPendingCredential, mfaInfo}."""
        return self._post(
            f"{self.idt}v1/accounts:signInWithPassword",
            {"email": email, "password": password, "returnSecureToken": True},
        )

    def id_token(self, email: str, password: str = DEMO_PASSWORD) -> str:
        return str(self.sign_in(email, password)["idToken"])

    def _code(self, session_info: str) -> str:
        for entry in self.verification_codes():
            if entry.get("sessionInfo") == session_info:
                return str(entry["code"])
        raise AuthError(404, "no verification code was sent for this session")

    def enroll_phone(self, id_token: str, phone: str) -> dict[str, Any]:
        """Enrol an SMS second factor (the emulator 'sends' the code to its code list)."""
        start = self._post(
            f"{self.idt}v2/accounts/mfaEnrollment:start",
            {"idToken": id_token, "phoneEnrollmentInfo": {"phoneNumber": phone}},
        )
        info = start["phoneSessionInfo"]["sessionInfo"]
        return self._post(
            f"{self.idt}v2/accounts/mfaEnrollment:finalize",
            {
                "idToken": id_token,
                "phoneVerificationInfo": {"sessionInfo": info, "code": self._code(info)},
            },
        )

    def sign_in_with_phone_factor(self, email: str, password: str) -> str:
        """Password, then the enrolled SMS factor: an ID token with sign_in_second_factor."""
        first = self.sign_in(email, password)
        pending = first["mfaPendingCredential"]
        enrollment = first["mfaInfo"][0]["mfaEnrollmentId"]
        start = self._post(
            f"{self.idt}v2/accounts/mfaSignIn:start",
            {"mfaPendingCredential": pending, "mfaEnrollmentId": enrollment},
        )
        info = start["phoneResponseInfo"]["sessionInfo"]
        done = self._post(
            f"{self.idt}v2/accounts/mfaSignIn:finalize",
            {
                "mfaPendingCredential": pending,
                "phoneVerificationInfo": {"sessionInfo": info, "code": self._code(info)},
            },
        )
        return str(done["idToken"])


class AuthError(RuntimeError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


def people_with_email(cfg: Any) -> list[tuple[str, str, str]]:
    """(user id, name, email) of every active person of a config who can sign in."""
    return [
        (uid, u.name, str(u.email))
        for uid, u in cfg.users.items()
        if u.email and u.kind == "person" and u.active
    ]


def seed_people(emulator: AuthEmulator, cfg: Any, password: str = DEMO_PASSWORD) -> dict:
    """An emulator account (verified email, the demo password) for every person with an
    email; idempotent (an existing account is kept). Returns {user id: email}."""
    out = {}
    for uid, name, email in people_with_email(cfg):
        try:
            emulator.create_user(email, password, name=name)
        except AuthError as exc:
            if "EMAIL_EXISTS" not in exc.message:
                raise
        out[uid] = email
    return out


class IdentityStandIn(AuthEmulator):
    """The same client for the IAM stand-in's Identity Platform (cloud-shaped suite): its
    ID tokens are RS256, signed like Google's securetoken tokens
    (emulators/standins/identity_toolkit.py). Second factors are not enrolled there; a
    sign-in with one is asked of the stand-in directly (`id_token_with_factor`)."""

    idt = ""

    def __init__(self, base_url: str, project: str) -> None:
        self.base = base_url.rstrip("/")
        self.project = project

    def id_token_with_factor(self, email: str, factor: str = "phone") -> str:
        r = requests.post(
            f"{self.base}/_control/id-token",
            json={"email": email, "second_factor": factor},
            timeout=10,
        )
        if r.status_code != 200:
            raise AuthError(r.status_code, r.json().get("error", {}).get("message", r.text))
        return str(r.json()["idToken"])
