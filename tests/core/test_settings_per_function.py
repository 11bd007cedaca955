"""Settings per function: in the cloud a function needs only its manifest's secrets, refuses
to start naming the variables (never their values, never the environment), and cannot read
a secret it was not given."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from core.manifest import manifest
from core.settings import SecretNotGiven, SettingsError, reset_settings, settings
from tests.helpers.common import ROOT

CANARY = "canary-7f3c1e9b2d4a"


def _canaries(name: str) -> dict[str, str]:
    fn = manifest().function(name)
    return {var: f"{CANARY}-{var.lower()}-{'x' * 24}" for var in manifest().secret_env(fn)}


@pytest.fixture
def cloud_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for var in manifest().secrets.values():
        monkeypatch.delenv(var, raising=False)
    for var in (
        "FUNCTION_TARGET",
        "PUSH_SERVICE_ACCOUNT",
        "RECORDINGS_TASKS_SERVICE_ACCOUNT",
        "FIREBASE_AUTH_EMULATOR_HOST",
    ):
        monkeypatch.delenv(var, raising=False)
    reset_settings()
    yield monkeypatch
    monkeypatch.delenv("K_SERVICE", raising=False)
    reset_settings()


def test_issue_reproduction_sessions_http_with_its_five_secrets(cloud_env) -> None:
    """K_SERVICE=sessions-http plus the five secrets its entry lists is enough."""
    cloud_env.setenv("K_SERVICE", "sessions-http")
    env = _canaries("sessions_http")
    assert len(env) == 5
    for k, v in env.items():
        cloud_env.setenv(k, v)
    s = settings()
    assert s.company_secret.get_secret_value() == env["COMPANY_SECRET"]
    with pytest.raises(SecretNotGiven, match="APPS_API_TOKENS"):
        _ = s.apps_api_tokens  # not among sessions_http's secrets: no silent local default


@pytest.mark.parametrize("name", sorted(manifest().functions))
def test_every_function_starts_with_only_its_own_secrets(cloud_env, name: str) -> None:
    fn = manifest().function(name)
    cloud_env.setenv("K_SERVICE", fn.service)
    cloud_env.setenv("PUSH_SERVICE_ACCOUNT", "push@p.iam.gserviceaccount.com")
    cloud_env.setenv("RECORDINGS_TASKS_SERVICE_ACCOUNT", "tasks@p.iam.gserviceaccount.com")
    for k, v in _canaries(name).items():
        cloud_env.setenv(k, v)
    assert settings().public_url


def test_refusal_names_variables_and_echoes_no_value(cloud_env) -> None:
    cloud_env.setenv("K_SERVICE", "recordings-http")
    env = _canaries("recordings_http")
    env["RECORDINGS_CRM_KEYS"] = f"{CANARY}-key,local-crm-key"  # a known key among real ones
    env.pop("PORTAL_TOKEN_SECRET")
    env["TWILIO_AUTH_TOKEN"] = "local-twilio-token"
    for k, v in env.items():
        cloud_env.setenv(k, v)
    cloud_env.setenv("JWT_LEEWAY_SECONDS", "60")
    with pytest.raises(SettingsError) as exc:
        settings()
    msg = str(exc.value)
    assert "PORTAL_TOKEN_SECRET is missing" in msg
    assert "TWILIO_AUTH_TOKEN is left at its local default" in msg
    assert "RECORDINGS_CRM_KEYS is left at its local default" in msg
    assert "RECORDINGS_TASKS_SERVICE_ACCOUNT is missing" in msg  # the tasks target's caller
    assert CANARY not in msg and "local-twilio-token" not in msg and "input_value" not in msg
    assert exc.value.__cause__ is None and exc.value.__suppress_context__ is False


def test_a_bad_value_is_named_without_the_environment(cloud_env) -> None:
    """pydantic's own message would print input_value= with the whole environment."""
    cloud_env.setenv("K_SERVICE", "monitoring-http")
    for k, v in _canaries("monitoring_http").items():
        cloud_env.setenv(k, v)
    cloud_env.setenv("JWT_LEEWAY_SECONDS", f"{CANARY}-not-a-number")
    with pytest.raises(SettingsError) as exc:
        settings()
    assert "JWT_LEEWAY_SECONDS" in str(exc.value)
    assert CANARY not in str(exc.value) and "input_value" not in str(exc.value)
    assert exc.value.__context__ is None  # raised outside the except: no chained dump


def test_unknown_service_refuses(cloud_env) -> None:
    cloud_env.setenv("K_SERVICE", "no-such-function")
    with pytest.raises(SettingsError, match="name no function of manifest.json"):
        settings()


def test_capability_settings_hide_input_values(cloud_env) -> None:
    from recordings.config import rec_settings
    from smartactions.config import sa_settings

    cloud_env.setenv("RECORDINGS_PART_SIZE", f"{CANARY}")
    reset_settings()
    with pytest.raises(SettingsError) as exc:
        rec_settings()
    assert "RECORDINGS_PART_SIZE" in str(exc.value) and CANARY not in str(exc.value)
    cloud_env.delenv("RECORDINGS_PART_SIZE")
    reset_settings()
    cloud_env.setenv("SMARTACTIONS_SIGNING", CANARY)
    reset_settings()
    try:
        with pytest.raises(SettingsError) as exc:
            sa_settings()
        assert "SMARTACTIONS_SIGNING" in str(exc.value) and CANARY not in str(exc.value)
    finally:
        cloud_env.delenv("SMARTACTIONS_SIGNING")
        reset_settings()


def test_a_function_refuses_to_start_and_logs_names_only() -> None:
    """The real start: functions-framework loading main.py with a secret missing."""
    env = {"PATH": os.environ.get("PATH", ""), "K_SERVICE": "deflection-http"}
    env |= _canaries("deflection_http")
    env.pop("COMPANY_SECRET")
    out = subprocess.run(
        [sys.executable, "-c", "import main"],
        cwd=ROOT / "functions",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0
    assert "deflection_http refuses to start: COMPANY_SECRET is missing" in out.stderr
    assert CANARY not in out.stderr + out.stdout
