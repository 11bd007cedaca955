"""Helpers of the common tests (plain functions, constants and classes; the fixtures
are in tests/conftest.py)."""

from __future__ import annotations

import os
import time
import urllib.error
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
    # The emulator answers 409 while a transaction (an event consumer's) holds a document:
    # try again shortly rather than fail the next test's setup.
    for attempt in range(10):
        try:
            urllib.request.urlopen(req, timeout=30).read()
            return
        except urllib.error.HTTPError as exc:
            if exc.code != 409 or attempt == 9:
                raise
            time.sleep(0.5)


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


def tasks_headers(suite: Suite, function: str) -> dict[str, str]:
    """Headers of a Cloud Tasks delivery to `function` as Google sends it: with
    SUITE_MODE=cloud a token of the tasks account (audience: the function's base URL);
    none on the emulator suite."""
    if not suite.cloud:
        return {}
    from emulators.suite import tasks_account

    token = suite.issuer().mint(suite.function_url(function), tasks_account(suite.project))
    return {"Authorization": f"Bearer {token}"}


# The function each demo service account calls, for the audience of its ID token.
SERVICE_AUDIENCES = {"router": "sessions_http", "ci": "settings_http"}


def person_token(user_id: str, *, second_factor: bool = False, audience: str | None = None) -> str:
    """A portal bearer token for a user of the applied config.

    On the emulator suite: a self-minted HS256 token (fast; accepted only without
    K_SERVICE). With SUITE_MODE=cloud the functions take only Google-signed tokens: a
    person's email signs in on the IAM stand-in's Identity Platform (account made on first
    use) and gets its RS256 securetoken ID token; a service user gets a service-account ID
    token for `audience` (default: the URL of the function it calls, SERVICE_AUDIENCES)."""
    if not CLOUD:
        from core.auth.portal import issue

        return issue(user_id, second_factor=second_factor)
    import json

    from core.config.store import get_view
    from emulators.signin import DEMO_PASSWORD, AuthError, IdentityStandIn

    user = get_view().cfg.users.get(user_id)
    # A user the config lacks still signs in (and is then refused by the function).
    email = f"{user_id}@unknown.invalid" if user is None else str(user.email or "")
    assert email, f"user {user_id!r} has no email in the config: nothing to sign in with"
    if user is not None and user.kind == "service":
        from emulators.standins.iam_server import generate_id_token

        if audience is None:
            urls = json.loads(os.environ["FUNCTION_URLS"])
            audience = urls[SERVICE_AUDIENCES[user_id]]
        iam = os.environ["IDENTITY_TOOLKIT_URL"]  # the IAM stand-in plays both
        return generate_id_token(iam, email, audience.rstrip("/"))
    people = IdentityStandIn(os.environ["IDENTITY_TOOLKIT_URL"], os.environ["GOOGLE_CLOUD_PROJECT"])
    try:
        people.create_user(email, DEMO_PASSWORD)
    except AuthError as exc:
        if "EMAIL_EXISTS" not in exc.message:
            raise
    if second_factor:
        return people.id_token_with_factor(email)
    return people.id_token(email)


def hours_as_of(cfg: dict[str, Any], instant: str) -> dict[str, Any]:
    """A copy of config `cfg` whose every hours set is open *now* exactly when it is open at
    `instant` (ISO 8601): open sets get a daily window around the current time, closed
    ones a daily window that opens in two hours; 24/7 sets stay as they are.

    The cloud-shaped functions take no `at=` (in the cloud no caller moves the clock), so
    end-to-end tests set the hours relative to the real clock instead; the calendar rules
    themselves (holidays, exceptions, zones) are tested on the hours engine."""
    import copy
    import datetime as dt
    from zoneinfo import ZoneInfo

    from core.config.schema.hours import HoursSpec
    from core.hours.engine import is_open, zone_of

    out = copy.deepcopy(cfg)
    at = dt.datetime.fromisoformat(instant.replace("Z", "+00:00"))
    center_tz = out["center"]["timezone"]
    now = dt.datetime.now(dt.UTC)
    for name, raw in (out.get("hours") or {}).items():
        spec = HoursSpec.model_validate(raw)
        if spec.always_open:
            continue
        tz = zone_of(spec, center_tz)
        local = now.astimezone(ZoneInfo(tz))
        if is_open(spec, center_tz, at):
            start, end = local - dt.timedelta(hours=3), local + dt.timedelta(hours=3)
        else:
            start, end = local + dt.timedelta(hours=2), local + dt.timedelta(hours=4)
        window = f"{start:%H:%M}-{end:%H:%M}"
        days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        out["hours"][name] = {"timezone": tz, "weekly": {d: [window] for d in days}}
    return out


def demo_dict() -> dict[str, Any]:
    import yaml

    return dict(yaml.safe_load(DEMO_CONFIG.read_text()))


def wait_listed(url: str, headers: dict[str, str], needle: str, timeout: float = 20.0) -> Any:
    """GET a live list until `needle` is in it: a session reaches the lists through its
    event (monitoring_on_event keeps the projection), a moment after the write."""
    import requests

    deadline = time.monotonic() + timeout
    while True:
        r = requests.get(url, headers=headers, timeout=30)
        assert r.status_code == 200, r.text
        if needle in r.text or time.monotonic() > deadline:
            return r
        time.sleep(0.25)
