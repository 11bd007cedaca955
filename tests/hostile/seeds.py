"""Real objects for hostile tests to aim at: a live SDK chat and a live call in the billing
queue (team billing-team: alex, mona), a SmartAction request, a chat viewer token, and the
credentials of every caller type. Everything is created over HTTP on served functions or
written as the sessions capability writes it, on the emulators."""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass
from typing import Any

import requests

END_USER = "fuzz-user"
QUEUE = "billing-refunds"

# Colleagues of the seeded sessions' agent (alex, billing-team), for the "who may act on a
# session" rows: an agent of the same team the session is not assigned to, and a
# supervisor of that team (sam supervises another team).
# Emails: in the cloud-shaped suite people sign in by email (tests/conftest.py).
COLLEAGUES: dict[str, dict[str, Any]] = {
    "cleo": {
        "name": "Cleo Agent",
        "email": "cleo@acme-telecom.example",
        "roles": ["agent"],
        "teams": ["billing-team"],
    },
    "stan": {
        "name": "Stan Supervisor",
        "email": "stan@acme-telecom.example",
        "roles": ["supervisor"],
        "teams": ["billing-team"],
    },
}


def center_with_colleagues() -> dict[str, Any]:
    """The demo contact center plus COLLEAGUES (a dict for the `apply_config` fixture)."""
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[2]
    data = yaml.safe_load((root / "emulators" / "demo" / "contact-center.yaml").read_text())
    data["users"] = {**data["users"], **COLLEAGUES}
    return data


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(user: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def portal(user_id: str) -> str:
    from tests.helpers.common import person_token

    return person_token(user_id)


def sdk(identifier: str = END_USER) -> str:
    from core.auth.sdk_jwt import issue

    return issue(identifier)


@dataclass
class Seeds:
    chat_id: str
    call_id: str
    request_id: str
    viewer_token: str

    def ids(self, path_params: dict[str, Any], path: str) -> dict[str, Any]:
        """Path parameters pointing at the real objects (calls for /calls/..., chats else)."""
        out = dict(path_params)
        if "session_id" in out:
            is_call = path.startswith("/calls") or "/calls/" in path
            out["session_id"] = self.call_id if is_call else self.chat_id
        if "rid" in out:
            out["rid"] = self.request_id
        if "collection" in out:
            out["collection"] = "calls" if out.get("session_id") == self.call_id else "chats"
        if "qid" in out:
            out["qid"] = "billing"
        return out


def valid_headers(caller: str, seeds: Seeds | None) -> dict[str, str]:
    """Right credentials for a caller type ({} where the URL or the body carries them)."""
    from core.settings import settings
    from recordings.config import rec_settings

    s = settings()
    if caller == "portal":
        return bearer(portal("ada"))
    if caller == "sdk":
        return bearer(sdk())
    if caller == "apps":
        return basic(s.company_subdomain, s.apps_api_token_list[0])
    if caller == "cx":
        return {"X-Webhook-Secret": s.cx_webhook_secret.get_secret_value()}
    if caller == "crm_key":  # the key and a live MFA session of that key
        from recordings import config, mfa

        key = rec_settings().crm_key_list[0]
        return {"X-CRM-Key": key, mfa.SESSION_HEADER: mfa.issue(config.key_id(key))[0]}
    if caller == "viewer" and seeds is not None:
        return bearer(seeds.viewer_token)
    return {}


def live_conference(twilio_base: str) -> tuple[str, str]:
    """A customer call and its agent in one live conference on the Twilio stand-in:
    (conference sid, customer call sid)."""
    conference = "CF" + secrets.token_hex(16)
    customer = ""
    for label in ("customer", "agent"):
        r = requests.post(
            f"{twilio_base}/_control/calls",
            json={"status": "in-progress", "conference_sid": conference, "label": label},
            timeout=10,
        )
        r.raise_for_status()
        customer = customer or r.json()["sid"]
    return conference, customer


def put_call(
    queue_id: str = QUEUE, agent_id: str = "alex", live: tuple[str, str] | None = None
) -> str:
    """A connected call as the sessions capability leaves it (on a live conference of the
    stand-in if `live` is given, else on a conference the carrier does not know)."""
    from core import clients
    from core.config.store import get_view
    from core.sessions.model import new_session
    from core.sessions.store import COLLECTION

    conference, sid = live or ("CF" + secrets.token_hex(16), "CA" + secrets.token_hex(16))
    now = time.time()
    node = get_view().queue(queue_id)
    doc = new_session(
        sid,
        "voice",
        "connected",
        now - 60,
        queue_id=queue_id,
        queue_path=node.path if node else None,
        team_ids=["billing-team"],
        agent_id=agent_id,
        queued_at=now - 60,
        updated_at=now - 30,
    )
    doc["connected_at"] = now - 30
    doc["carrier"] = {"call_sid": sid, "conference_sid": conference}
    clients.firestore().collection(COLLECTION).document(sid).set(doc)
    return sid


def make(urls: dict[str, str]) -> Seeds:
    """Seed through the served functions (urls: entry-point name -> base URL)."""
    r = requests.post(
        f"{urls['sessions_http']}/sdk/chats",
        headers=bearer(sdk()),
        json={"channel": "mobile", "queue_id": QUEUE},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    chat = r.json()["session"]["id"]
    r = requests.post(
        f"{urls['sessions_http']}/agent/sessions/{chat}/assign",
        headers=bearer(portal("router")),  # routing assigns
        json={"agent_id": "alex"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    r = requests.post(
        f"{urls['smartactions_http']}/agent/sessions/{chat}/smartactions",
        headers=bearer(portal("alex")),
        json={"kind": "photo"},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    rid = r.json()["request"]["id"]
    r = requests.post(
        f"{urls['monitoring_http']}/chats/{chat}/view", headers=bearer(portal("ada")), timeout=30
    )
    assert r.status_code in (200, 201), r.text
    return Seeds(chat, put_call(), rid, r.json()["token"])
