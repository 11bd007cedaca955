"""Test fixtures: the real emulator suite, started once per test session.

- `suite`: Firestore, Pub/Sub, Cloud Storage, Cloud Tasks emulators and the Twilio /
  Zendesk / Salesforce stand-ins, on free ports; this process's env points at them.
- `functions`: every entry point served by functions-framework, with Pub/Sub push
  subscriptions, for end-to-end tests (started on first use).
- Firestore is emptied and the stand-ins reset before every test.

SUITE_MODE=cloud starts the functions as Terraform would (emulators/suite.py); tests that
use the served functions are marked `served` and run in both modes: person tokens
(`portal_token`, `signed_in`, tests.helpers.common.person_token) and Cloud Tasks / push
headers come in the kind each mode's functions accept, and decisions follow the real clock
(`demo_as_of`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.helpers.common import ROOT

sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

from emulators.suite import Suite  # noqa: E402
from tests.helpers.common import (  # noqa: E402
    DEMO_CONFIG,
    DEMO_SERVICE_ACCOUNT,
    clear_firestore,
    demo_dict,
    hours_as_of,
    person_token,
    reset_process_state,
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "functions" in fixtures:
            item.add_marker(pytest.mark.served)
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def suite() -> Iterator[Suite]:
    s = Suite()
    s.start()
    try:
        s.provision()
        os.environ.update(s.env() | {"CONFIG_CACHE_SECONDS": "0"})
        reset_process_state()
        yield s
    finally:
        s.cleanup()


@pytest.fixture(scope="session")
def functions(suite: Suite) -> Suite:
    """Serve every function locally (once per session) and wire push subscriptions."""
    os.environ["CONFIG_CACHE_SECONDS"] = "0"
    suite.start_functions()
    os.environ.update(suite.env())
    reset_process_state()
    return suite


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test that uses the suite starts from an empty Firestore and fresh stand-ins."""
    if "suite" not in request.fixturenames:
        yield
        return
    s: Suite = request.getfixturevalue("suite")
    clear_firestore(s)
    s.auth().clear()
    if s.cloud:
        s.people().clear()
    for name in ("twilio", "zendesk", "salesforce"):
        try:
            requests.post(f"{s.url(name)}/_control/reset", timeout=5)
        except requests.RequestException:
            pass
    reset_process_state()
    yield


@pytest.fixture
def apply_config(suite: Suite) -> Callable[..., Any]:
    """Apply a config (path, YAML text or dict) to the emulator; returns the report."""
    import yaml

    from core.config.loader import load_file, parse
    from core.config.store import apply

    def _apply(source: str | Path | dict | None = None) -> Any:
        if source is None:
            cfg = load_file(DEMO_CONFIG)
        elif isinstance(source, dict):
            cfg = parse(source)
        elif isinstance(source, Path) or (isinstance(source, str) and "\n" not in source):
            cfg = load_file(source)
        else:
            cfg = parse(yaml.safe_load(source))
        return apply(cfg)

    return _apply


@pytest.fixture
def demo(apply_config: Callable[..., Any]) -> Any:
    """The demo contact center applied to Firestore."""
    return apply_config()


@pytest.fixture
def app_client(suite: Suite) -> Callable[[str], Any]:
    """In-process Flask test client for an entry point (fast; same emulators)."""
    import functions_framework

    def _client(target: str, public_url: str = "https://functions.test") -> Any:
        os.environ["PUBLIC_URL"] = public_url
        from core.settings import reset_settings

        reset_settings()
        app = functions_framework.create_app(target, str(ROOT / "functions" / "main.py"))
        return app.test_client()

    return _client


@pytest.fixture
def portal_token() -> Callable[[str], str]:
    return lambda user_id: person_token(user_id)


@pytest.fixture
def signed_in(suite: Suite) -> Callable[[str], str]:
    """ID token of a demo person signed in with email and password, as a browser does
    (accounts are created on first use, with the demo password): on the Auth emulator, or
    with SUITE_MODE=cloud on the IAM stand-in's Identity Platform (RS256 securetoken)."""
    from core.config.loader import load_file
    from emulators.signin import seed_people

    emulator = suite.people()
    people: dict[str, str] = {}

    def _sign_in(user_id: str) -> str:
        if not people:
            people.update(seed_people(emulator, load_file(DEMO_CONFIG)))
        return emulator.id_token(people[user_id])

    return _sign_in


@pytest.fixture
def service_token(suite: Suite) -> Callable[..., str]:
    """A Google service-account ID token (email included) for an audience, from the
    suite's IAM stand-in: what `gcloud auth print-identity-token` gives a CI job."""
    from emulators.standins.iam_server import generate_id_token

    def _token(audience: str, email: str = DEMO_SERVICE_ACCOUNT) -> str:
        return generate_id_token(suite.url("iam"), email, audience)

    return _token


@pytest.fixture
def demo_as_of(apply_config: Callable[..., Any]) -> Callable[..., Any]:
    """Apply the demo center (or `cfg`) with its hours open now as they are at `instant`."""

    def _apply(instant: str, cfg: dict[str, Any] | None = None) -> Any:
        return apply_config(hours_as_of(cfg if cfg is not None else demo_dict(), instant))

    return _apply


@pytest.fixture
def sdk_token() -> Callable[..., str]:
    from core.auth.sdk_jwt import issue

    return lambda identifier, **claims: issue(identifier, **claims)


@pytest.fixture
def subscribe(suite: Suite) -> Callable[[str], str]:
    """Create a fresh pull subscription on a topic; returns its path."""
    import uuid

    from google.cloud import pubsub_v1

    def _sub(topic: str) -> str:
        sub = pubsub_v1.SubscriberClient()
        name = sub.subscription_path(suite.project, f"t-{uuid.uuid4().hex[:12]}")
        sub.create_subscription(
            request={
                "name": name,
                "topic": f"projects/{suite.project}/topics/{topic}",
                "ack_deadline_seconds": 30,
            }
        )
        return name

    return _sub
