"""Helpers of the common tests (plain functions, constants and classes; the fixtures
are in tests/conftest.py)."""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path
from typing import Any

from emulators.suite import Suite

ROOT = Path(__file__).resolve().parents[2]


DEMO_CONFIG = ROOT / "emulators" / "demo" / "contact-center.yaml"


DEMO_SERVICE_ACCOUNT = "ci-pipeline@demo-contact-center.iam.gserviceaccount.com"


CLOUD = os.environ.get("SUITE_MODE") == "cloud"


def reset_process_state() -> None:
    # Settings, clients, the config view, rate-limit slots (their Firestore documents are
    # emptied with the rest), certificates, CRM sessions: every per-process cache.
    from core import caches

    caches.reset()


def clear_firestore(suite: Suite) -> None:
    host = suite.env()["FIRESTORE_EMULATOR_HOST"]
    req = urllib.request.Request(
        f"http://{host}/emulator/v1/projects/{suite.project}/databases/(default)/documents",
        method="DELETE",
    )
    urllib.request.urlopen(req, timeout=30).read()


def twilio_signed(url: str, params: dict[str, str], token: str | None = None) -> dict[str, str]:
    """Headers for a form POST signed as Twilio signs it."""
    from twilio.request_validator import RequestValidator

    from emulators.suite import TWILIO_TOKEN

    # The suite's token: the local one, or a random one with SUITE_MODE=cloud.
    token = token or os.environ.get("TWILIO_AUTH_TOKEN") or TWILIO_TOKEN
    sig = RequestValidator(token).compute_signature(url, params)
    return {"X-Twilio-Signature": sig}


def push_headers(suite: Suite, function: str) -> dict[str, str]:
    """Headers of a Pub/Sub push to `function` as Google sends it: with SUITE_MODE=cloud a
    token of the push account from the suite's OIDC issuer; none on the emulator suite."""
    if not suite.cloud:
        return {}
    from emulators.suite import push_account

    token = suite.issuer().mint(suite.function_url(function), push_account(suite.project))
    return {"Authorization": f"Bearer {token}"}


def pull_all(
    suite: Suite, subscription: str, timeout: float = 5.0, expect: int | None = None
) -> list[Any]:
    """Pull messages from a subscription until `expect` arrived or `timeout` passed."""
    import time

    from google.cloud import pubsub_v1

    sub = pubsub_v1.SubscriberClient()
    out: list[Any] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # return_immediately: the emulator would otherwise hold an empty pull open.
        resp = sub.pull(
            request={"subscription": subscription, "max_messages": 100, "return_immediately": True},
            timeout=5,
        )
        if resp.received_messages:
            sub.acknowledge(
                request={
                    "subscription": subscription,
                    "ack_ids": [m.ack_id for m in resp.received_messages],
                }
            )
            out.extend(m.message for m in resp.received_messages)
        if expect is not None and len(out) >= expect:
            # keep listening briefly to catch duplicates
            deadline = min(deadline, time.monotonic() + 1.0)
        time.sleep(0.1)
    return out
