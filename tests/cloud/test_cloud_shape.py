"""The cloud-shaped suite: every function started as Terraform starts it (K_SERVICE, only
its manifest's secrets as random values, no emulator affordance), pushes and tasks carrying
OIDC tokens from the suite's local issuer.

With SUITE_MODE=cloud these run against the session's served functions; otherwise this
module starts a cloud-shaped suite of its own.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import requests

from core.manifest import manifest
from emulators.oidc import Issuer
from emulators.suite import Suite, push_account, tasks_account
from tests.helpers.common import CLOUD, DEMO_CONFIG, ROOT

pytestmark = pytest.mark.served
EVENTS = [f.name for f in manifest().events]


@pytest.fixture(scope="module")
def cloud(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Suite]:
    if CLOUD:
        yield request.getfixturevalue("functions")
        return
    s = Suite(mode="cloud", run_dir=tmp_path_factory.mktemp("cloud-suite"))
    s.start()
    try:
        s.provision()
        s.start_functions()
        # The demo center, applied as ops would (the config CLI), in a process of its own
        # so this session's clients stay on the session's suite.
        subprocess.run(
            [sys.executable, "-m", "core.config", "apply", str(DEMO_CONFIG)],
            cwd=ROOT / "functions",
            env={**os.environ, **s.env()},
            check=True,
            capture_output=True,
            timeout=120,
        )
        yield s
    finally:
        s.cleanup()


def _envelope(data: dict[str, Any], mid: str) -> dict[str, Any]:
    return {
        "message": {
            "data": base64.b64encode(json.dumps(data).encode()).decode(),
            "attributes": {"dry_run": "true"},
            "messageId": mid,
            "publishTime": "2026-11-27T00:00:00Z",
        },
        "subscription": "projects/p/subscriptions/test",
    }


def _push(suite: Suite, fn: str, token: str | None, mid: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.post(
        suite.function_url(fn) + manifest().oidc.push_path,
        json=_envelope({"dry_run": True}, mid),
        headers=headers,
        timeout=60,
    )


def test_every_function_runs_with_only_its_manifest_secrets(cloud: Suite) -> None:
    m = manifest()
    for fn in m.functions.values():
        env = cloud.function_env(fn.name)
        assert env["K_SERVICE"] == fn.service and env["FUNCTION_TARGET"] == fn.name
        assert {v for v in m.secrets.values() if v in env} == set(m.secret_env(fn)), fn.name
        assert "EMULATOR_UNAUTHENTICATED_PUSH" not in env
        assert env["THREADS"] == str(fn.concurrency)
        assert env["CLOUD_RUN_TIMEOUT_SECONDS"] == str(fn.timeout_seconds)
        assert m.runtime.env and m.runtime.env.items() <= env.items(), fn.name
        for var in m.secret_env(fn):  # random and strong, never the local default
            assert len(env[var]) >= 32 and not env[var].startswith("local-"), var


@pytest.mark.parametrize("name", sorted(manifest().functions))
def test_unknown_path_is_a_json_404(cloud: Suite, name: str) -> None:
    r = requests.get(cloud.function_url(name) + "/no/such/route", timeout=30)
    assert r.status_code == 404, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json()["error"]["code"] == "not_found"


@pytest.fixture
def configured(request: pytest.FixtureRequest, cloud: Suite) -> None:
    """The demo center in the cloud suite's Firestore (the session's is emptied per test)."""
    if CLOUD:
        request.getfixturevalue("demo")


@pytest.mark.parametrize("name", EVENTS)
def test_event_function_accepts_a_signed_push_and_refuses_others(
    cloud: Suite, configured: None, name: str
) -> None:
    iss = cloud.issuer()
    url = cloud.function_url(name)
    pusher = push_account(cloud.project)
    mid = f"cloud-{name}-{time.time_ns()}"

    assert _push(cloud, name, None, mid).status_code == 401
    assert _push(cloud, name, "not-a-jwt", mid).status_code == 401
    stranger = Issuer(cloud.run_dir / "stranger-oidc")  # same claims, a key Google never had
    assert _push(cloud, name, stranger.mint(url, pusher), mid).status_code == 401
    assert (
        _push(cloud, name, iss.mint(url, pusher, issuer="https://evil.example"), mid).status_code
        == 401
    )
    assert _push(cloud, name, iss.mint(url, pusher, ttl=-120), mid).status_code == 401
    other = cloud.function_url(EVENTS[0] if name != EVENTS[0] else EVENTS[1])
    r = _push(cloud, name, iss.mint(other, pusher), mid)
    assert r.status_code == 403 and "audience" in r.json()["error"]["message"]
    r = _push(cloud, name, iss.mint(url, tasks_account(cloud.project)), mid)
    assert r.status_code == 403 and "account" in r.json()["error"]["message"]
    assert _push(cloud, name, iss.mint(url, pusher, email_verified=False), mid).status_code == 403

    r = _push(cloud, name, iss.mint(url, pusher), mid)
    assert r.status_code == 204, r.text
    r = _push(cloud, name, iss.mint(url, pusher), mid)  # a redelivery is acknowledged too
    assert r.status_code == 204, r.text


def test_push_envelope_is_validated(cloud: Suite) -> None:
    name = EVENTS[0]
    token = cloud.issuer().mint(cloud.function_url(name), push_account(cloud.project))
    r = requests.post(
        cloud.function_url(name) + "/",
        json={"message": {"data": "e30="}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "message.messageId"


def test_tasks_route_needs_the_tasks_account(cloud: Suite) -> None:
    fn = manifest().function("recordings_http")
    url = cloud.function_url(fn.name)
    body = {"recording_sid": "RE" + "0" * 32, "gen": 0}
    r = requests.post(url + fn.tasks_path, json=body, timeout=30)
    assert r.status_code == 401
    wrong = cloud.issuer().mint(url, push_account(cloud.project))
    r = requests.post(
        url + fn.tasks_path, json=body, headers={"Authorization": f"Bearer {wrong}"}, timeout=30
    )
    assert r.status_code == 403
    right = cloud.issuer().mint(url, tasks_account(cloud.project))
    r = requests.post(
        url + fn.tasks_path, json=body, headers={"Authorization": f"Bearer {right}"}, timeout=30
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "bad_signature"  # then the HMAC


def test_a_published_message_reaches_its_function_through_the_relay(
    cloud: Suite, configured: None
) -> None:
    """Pub/Sub emulator -> push subscription -> relay (adds the token) -> function: 204."""
    from google.cloud import pubsub_v1

    saved = dict(os.environ)
    os.environ.update({k: v for k, v in cloud.env().items() if k.endswith("_HOST")})
    try:
        pub = pubsub_v1.PublisherClient()
        topic = pub.topic_path(cloud.project, manifest().function("monitoring_sweeper").topic)
        mid = pub.publish(topic, b'{"dry_run": true}', dry_run="true").result(timeout=30)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    line = (
        f'"POST /push?to={quote(cloud.function_url("monitoring_sweeper"), safe="")} HTTP/1.1" 204'
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if line in cloud.logs().get("oidc", ""):
            return
        time.sleep(0.5)
    pytest.fail(f"message {mid} was not pushed with a token (no 204 through the relay)")


def test_no_log_holds_a_secret_value_or_an_environment_dump(cloud: Suite) -> None:
    """Canary secrets (the suite's random values) appear in no captured log line."""
    # Provoke the paths that log: refused tokens, a bad envelope, unknown routes, a 4xx.
    for name in manifest().functions:
        requests.post(cloud.function_url(name) + "/", data=b"{", timeout=30)
        requests.get(cloud.function_url(name) + "/x", timeout=30)
    logs = cloud.logs()
    assert any(k.startswith("fn-") for k in logs)
    for proc, text in logs.items():
        for var, value in cloud.secrets.items():
            assert value not in text, f"{var} leaked into the log of {proc}"
        assert "input_value" not in text, proc
        assert "K_SERVICE=" not in text and "'K_SERVICE'" not in text, proc


def test_people_sign_in_with_google_signed_tokens_and_writes_check_the_account(
    cloud: Suite, configured: None
) -> None:
    """Portal people: RS256 securetoken ID tokens verified with google-auth against the
    certificates URL; before a write, an Identity Toolkit accounts:lookup made with the
    function's own credentials (the metadata server's) refuses a revoked sign-in or a
    disabled account. Reads trust an unexpired token."""
    from emulators.signin import DEMO_PASSWORD

    people = cloud.people()
    people.clear()
    email = "alex@acme-telecom.example"
    uid = people.create_user(email, DEMO_PASSWORD, name="Alex Agent")
    url = cloud.function_url("deflection_http") + "/agent/presence"

    def call(method: str, token: str) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"}
        body = {"status": "online"} if method == "PUT" else None
        return requests.request(method, url, json=body, headers=headers, timeout=30)

    token = people.id_token(email)
    assert call("GET", token).status_code == 200
    r = call("PUT", token)
    assert r.status_code == 200 and r.json()["status"] == "online", r.text

    # Not Google-signed: the Auth emulator's unsigned token, another key, another project.
    emulator = cloud.auth()
    emulator.create_user(email, DEMO_PASSWORD)
    unsigned = emulator.id_token(email)
    r = call("GET", unsigned)
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_token", r.text
    from emulators.standins.iam_server import Signer
    from emulators.standins.identity_toolkit import Account, id_token

    forged = id_token(Signer("forger"), Account(uid, cloud.project, email, ""))
    assert call("GET", forged).status_code == 401
    elsewhere = id_token(Signer("forger"), Account(uid, "another-project", email, ""))
    assert call("GET", elsewhere).status_code == 401

    people.revoke(uid)
    assert call("GET", token).status_code == 200  # a read trusts the unexpired token
    r = call("PUT", token)
    assert r.status_code == 401 and r.json()["error"]["code"] == "token_revoked", r.text
    time.sleep(1.2)  # validSince has one-second resolution
    fresh = people.id_token(email)
    assert call("PUT", fresh).status_code == 200

    people.disable(uid)
    r = call("PUT", fresh)
    assert r.status_code == 403 and r.json()["error"]["code"] == "user_disabled", r.text

    people.clear()  # the account is gone
    r = call("PUT", fresh)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unknown_account", r.text


def test_identity_toolkit_lookup_needs_the_functions_credentials(cloud: Suite) -> None:
    """The stand-in's look-up, like Google's, answers only a caller with an access token;
    a function gets one from its metadata server, as on Cloud Run."""
    from urllib.parse import unquote

    url = f"{cloud.url('iam')}/v1/projects/{cloud.project}/accounts:lookup"
    assert requests.post(url, json={"localId": ["x"]}, timeout=10).status_code == 401
    env = cloud.function_env("settings_http")
    host = unquote(env["GCE_METADATA_HOST"])
    assert host.endswith("/sa/fn-settings-http@" + cloud.project + ".iam.gserviceaccount.com")
    meta = f"http://{env['GCE_METADATA_HOST']}/computeMetadata/v1/instance/service-accounts"
    flavor = {"Metadata-Flavor": "Google"}
    token = requests.get(f"{meta}/default/token", headers=flavor, timeout=10).json()
    r = requests.post(
        url,
        json={"localId": ["x"]},
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    )
    assert r.status_code == 200 and "users" not in r.json()
