"""Portal sign-in end to end: people sign in on the Firebase Authentication emulator (the
browser's REST calls) and call the served functions with the ID token; automation calls
them with a Google service-account ID token. Roles and teams come from the config."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from emulators.signin import DEMO_PASSWORD
from tests.helpers.common import DEMO_CONFIG, DEMO_SERVICE_ACCOUNT, wait_listed


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def demo_dict() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(DEMO_CONFIG.read_text())


def start_chat(fn: Callable[[str], str], sdk_token: Callable[..., str]) -> str:
    r = requests.post(
        f"{fn('sessions_http')}/sdk/chats",
        json={"channel": "web", "queue_id": "billing-refunds"},
        headers=bearer(sdk_token("cust-signin")),
        timeout=30,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["session"]["id"])


@pytest.fixture
def fn(functions: Any) -> Callable[[str], str]:
    return functions.function_url


def test_person_signs_in_and_monitors_then_ends_a_chat(
    fn: Callable[[str], str],
    demo: Any,
    signed_in: Callable[[str], str],
    sdk_token: Callable[..., str],
) -> None:
    token = signed_in("mona")  # manager of the billing team, email + password
    claims = claims_of(token)
    assert claims["iss"] == "https://securetoken.google.com/demo-contact-center"
    assert claims["email"] == "mona@acme-telecom.example" and claims["email_verified"] is True
    chat_id = start_chat(fn, sdk_token)
    mon = fn("monitoring_http")

    r = wait_listed(f"{mon}/chats", bearer(token), chat_id)
    assert chat_id in json.dumps(r.json())
    r = requests.get(f"{mon}/chats/{chat_id}", headers=bearer(token), timeout=30)
    assert r.status_code == 200, r.text
    # A write: the sign-in is also checked for revocation.
    r = requests.post(
        f"{mon}/chats/{chat_id}/end", json={"reason": "stuck"}, headers=bearer(token), timeout=30
    )
    assert r.status_code == 200, r.text
    from core import clients

    audit = [d.to_dict() for d in clients.firestore().collection("audit").stream()]
    ends = [e for e in audit if e.get("action") == "session.end"]
    assert len(ends) == 1 and ends[0]["actor"]["id"] == "mona", ends

    # Another team's person (sam, support team) does not see the billing chat.
    r = requests.get(f"{mon}/chats/{chat_id}", headers=bearer(signed_in("sam")), timeout=30)
    assert r.status_code == 404, r.text
    # An agent (alex) lacks the monitor permission.
    r = requests.get(f"{mon}/chats", headers=bearer(signed_in("alex")), timeout=30)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", r.text


def test_person_signs_in_and_edits_notification_settings(
    fn: Callable[[str], str], demo: Any, signed_in: Callable[[str], str]
) -> None:
    notif = fn("notifications_http")
    ada = bearer(signed_in("ada"))
    r = requests.get(f"{notif}/notifications/settings", headers=ada, timeout=30)
    assert r.status_code == 200, r.text
    r = requests.patch(
        f"{notif}/notifications/settings",
        json={"calls": {"countdown": {"seconds": 4}}},
        headers=ada,
        timeout=30,
    )
    assert r.status_code == 200, r.text
    r = requests.get(f"{notif}/notifications/settings", headers=ada, timeout=30)
    assert r.json()["effective"]["calls"]["countdown"]["seconds"] == 4, r.json()
    # mona (manager) signs in fine but lacks settings.edit.
    r = requests.get(
        f"{notif}/notifications/settings", headers=bearer(signed_in("mona")), timeout=30
    )
    assert r.status_code == 403, r.text


def test_unknown_unverified_and_deactivated_emails_get_403(
    suite: Any, fn: Callable[[str], str], apply_config: Callable[..., Any]
) -> None:
    cfg = demo_dict()
    cfg["users"]["bea"]["active"] = False
    apply_config(cfg)
    auth = suite.people()  # the Auth emulator, or in cloud mode the stand-in's Identity Platform
    auth.create_user("stranger@example.com", DEMO_PASSWORD)
    auth.create_user("sam@acme-telecom.example", DEMO_PASSWORD, verified=False)
    auth.create_user("bea@acme-telecom.example", DEMO_PASSWORD)
    auth.create_user("ada@acme-telecom.example", DEMO_PASSWORD)
    # A person's Identity Platform account with the email of a service user.
    auth.create_user(DEMO_SERVICE_ACCOUNT, DEMO_PASSWORD)
    calls = f"{fn('monitoring_http')}/calls"
    for email, code in (
        ("stranger@example.com", "unknown_user"),
        ("sam@acme-telecom.example", "email_not_verified"),
        ("bea@acme-telecom.example", "user_deactivated"),
        (DEMO_SERVICE_ACCOUNT, "wrong_sign_in"),
    ):
        r = requests.get(calls, headers=bearer(auth.id_token(email)), timeout=30)
        assert r.status_code == 403, (email, r.text)
        assert r.json()["error"]["code"] == code, (email, r.text)
        assert email not in r.text  # no personal data echoed
    assert (
        requests.get(
            calls, headers=bearer(auth.id_token("ada@acme-telecom.example")), timeout=30
        ).status_code
        == 200
    )


def test_revoked_or_disabled_sign_in_is_refused_on_writes(
    suite: Any,
    fn: Callable[[str], str],
    demo: Any,
    signed_in: Callable[[str], str],
    sdk_token: Callable[..., str],
) -> None:
    auth = suite.people()
    token = signed_in("mona")
    chat_id = start_chat(fn, sdk_token)
    end = f"{fn('monitoring_http')}/chats/{chat_id}/end"
    auth.revoke(claims_of(token)["sub"])
    time.sleep(1.2)  # validSince has one-second resolution
    # Reads trust the token until it expires (at most an hour); writes check revocation.
    r = requests.get(f"{fn('monitoring_http')}/chats", headers=bearer(token), timeout=30)
    assert r.status_code == 200, r.text
    r = requests.post(end, json={"reason": "x"}, headers=bearer(token), timeout=30)
    assert r.status_code == 401 and r.json()["error"]["code"] == "token_revoked", r.text
    # Signing in again works; a disabled account does not.
    fresh = auth.id_token("mona@acme-telecom.example")
    auth.disable(claims_of(fresh)["sub"])
    r = requests.post(end, json={"reason": "x"}, headers=bearer(fresh), timeout=30)
    assert r.status_code == 403 and r.json()["error"]["code"] == "user_disabled", r.text
    with pytest.raises(Exception, match="USER_DISABLED"):
        auth.id_token("mona@acme-telecom.example")


def test_a_role_that_requires_a_second_factor(
    suite: Any,
    fn: Callable[[str], str],
    apply_config: Callable[..., Any],
    signed_in: Callable[[str], str],
    sdk_token: Callable[..., str],
) -> None:
    cfg = demo_dict()
    cfg["roles"]["manager"] = {
        "name": "Manager (MFA)",
        "permissions": ["monitor", "Monitor-Chats-Edit", "smartactions.request"],
        "scope": "teams",
        "mfa_required": True,
    }
    apply_config(cfg)
    chat_id = start_chat(fn, sdk_token)
    mon = fn("monitoring_http")
    password_only = signed_in("mona")
    r = requests.get(f"{mon}/chats", headers=bearer(password_only), timeout=30)
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "second_factor_required", r.text

    if suite.cloud:
        # The stand-in's Identity Platform does not run the SMS exchange; it signs the
        # token that exchange ends with.
        token = suite.people().id_token_with_factor("mona@acme-telecom.example", "phone")
    else:
        # Enrol an SMS factor on the emulator, sign in with password + code.
        auth = suite.auth()
        auth.enroll_phone(password_only, "+14155550177")
        token = auth.sign_in_with_phone_factor("mona@acme-telecom.example", DEMO_PASSWORD)
    assert claims_of(token)["firebase"]["sign_in_second_factor"] == "phone"
    r = requests.get(f"{mon}/chats", headers=bearer(token), timeout=30)
    assert r.status_code == 200, r.text
    r = requests.post(
        f"{mon}/chats/{chat_id}/end", json={"reason": "mfa"}, headers=bearer(token), timeout=30
    )
    assert r.status_code == 200, r.text


def test_service_account_calls_with_an_audience(
    fn: Callable[[str], str], demo: Any, service_token: Callable[..., str]
) -> None:
    mon, notif = fn("monitoring_http"), fn("notifications_http")
    # The CI service account maps to the config user "ci" (kind service, role automation).
    r = requests.get(f"{mon}/audit", headers=bearer(service_token(mon)), timeout=30)
    assert r.status_code == 200, r.text
    r = requests.get(
        f"{notif}/notifications/settings", headers=bearer(service_token(notif)), timeout=30
    )
    assert r.status_code == 200, r.text
    # Automation reads the whole config from the Settings API, as a deployment's CI would.
    st = fn("settings_http")
    r = requests.get(f"{st}/settings/export", headers=bearer(service_token(st)), timeout=30)
    assert r.status_code == 200 and "queues:" in r.text, r.text
    # No monitor permission in its role.
    r = requests.get(f"{mon}/calls", headers=bearer(service_token(mon)), timeout=30)
    assert r.status_code == 403, r.text
    # A token minted for another function is refused.
    r = requests.get(f"{mon}/audit", headers=bearer(service_token(notif)), timeout=30)
    assert r.status_code == 401 and "audience" in r.json()["error"]["message"], r.text
    # Unknown service account; a service account named like a person of the config.
    for email, code in (
        ("stranger@other-project.iam.gserviceaccount.com", "unknown_user"),
        ("mona@acme-telecom.example", "wrong_sign_in"),
    ):
        r = requests.get(f"{mon}/audit", headers=bearer(service_token(mon, email)), timeout=30)
        assert r.status_code == 403 and r.json()["error"]["code"] == code, (email, r.text)


def test_forged_tokens_are_refused(
    fn: Callable[[str], str], demo: Any, service_token: Callable[..., str]
) -> None:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    mon = fn("monitoring_http")
    good = service_token(mon)
    header = jwt.get_unverified_header(good)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims_of(good), key, algorithm="RS256", headers={"kid": header["kid"]})
    r = requests.get(f"{mon}/audit", headers=bearer(forged), timeout=30)
    assert r.status_code == 401 and "signature" in r.json()["error"]["message"], r.text
    # An emulator-shaped token for another project.
    now = int(time.time())
    other = jwt.encode(
        {
            "iss": "https://securetoken.google.com/other-project",
            "aud": "other-project",
            "sub": "x",
            "email": "ada@acme-telecom.example",
            "email_verified": True,
            "iat": now,
            "exp": now + 600,
        },
        None,
        algorithm="none",
    )
    r = requests.get(f"{mon}/audit", headers=bearer(other), timeout=30)
    assert r.status_code == 401, r.text
    assert "base64" not in r.text and other not in r.text


def test_the_cloud_refuses_self_minted_tokens_and_the_auth_emulator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import flask

    from core.auth import portal
    from core.errors import ApiError
    from core.settings import Settings, SettingsError, reset_settings, settings

    local = portal.issue("ada")
    secrets = {
        f.alias: "a-real-secret-from-secret-manager-0123456789"
        for name, f in Settings.model_fields.items()
        if name in {"twilio_auth_token", "zendesk_api_token", "salesforce_client_secret"}
        or name in {"apps_api_tokens", "cx_webhook_secret", "company_secret"}
        or name == "portal_token_secret"
    }
    for k, v in secrets.items():
        monkeypatch.setenv(str(k), v)
    monkeypatch.setenv("K_SERVICE", "monitoring-http")
    monkeypatch.delenv("FUNCTION_TARGET", raising=False)  # K_SERVICE alone names it
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    reset_settings()
    with pytest.raises(SettingsError, match="FIREBASE_AUTH_EMULATOR_HOST"):
        settings()
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST")
    reset_settings()
    with pytest.raises(RuntimeError):
        portal.issue("ada")
    app = flask.Flask("t")
    with app.test_request_context(headers=bearer(local)):
        with pytest.raises(ApiError) as err:
            portal.authenticate(flask.request)
    assert err.value.status == 401 and "refused" in err.value.message
    # Without the emulator variable, an unsigned (emulator-shaped) token of this very
    # project is refused before any key is fetched.
    import google.auth
    import jwt
    from google.auth.credentials import AnonymousCredentials

    from core.auth import id_tokens

    now = int(time.time())
    project = settings().google_cloud_project
    # No Application Default Credentials on this machine (the metadata server gives them).
    monkeypatch.setattr(google.auth, "default", lambda *a, **k: (AnonymousCredentials(), project))
    unsigned = jwt.encode(
        {
            "iss": id_tokens.person_issuer(),
            "aud": project,
            "sub": "someone",
            "email": "ada@acme-telecom.example",
            "email_verified": True,
            "iat": now,
            "exp": now + 600,
        },
        None,
        algorithm="none",
    )
    with pytest.raises(ApiError) as err:
        id_tokens.verify_person(unsigned, check_revoked=False)
    assert err.value.status == 401 and err.value.code == "bad_token"
    reset_settings()


def test_sign_in_libraries_load_on_first_use() -> None:
    """A cold start that serves no portal request never imports firebase-admin."""
    import subprocess
    import sys

    from tests.helpers.common import ROOT

    code = (
        "import sys; sys.path.insert(0, 'functions'); import main, core.auth.portal, "
        "monitoring.http; print('firebase_admin' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"
