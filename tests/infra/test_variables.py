"""Variables whose wrong value would break the deploy are refused at plan time.

Two ways, so the check runs everywhere: the regexes of the validation blocks are pulled
out with python-hcl2 and tried in Python on good and bad samples; and where terraform is
installed, terraform itself evaluates every validation block (variables.tf alone in a
scratch directory needs no provider, so this works offline) on the same samples.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.infra import tf

REQUIRED = {
    "project_id": "acme-contact-center",
    "twilio_account_sid": "AC" + "0123456789abcdef" * 2,
    "twilio_caller_id": "+15551234567",
    "company_subdomain": "acme",
    "zendesk_base_url": "https://acme.zendesk.com",
    "zendesk_email": "agent@acme.example",
}

# Values that must pass (each alone, on top of REQUIRED).
GOOD: dict[str, list[Any]] = {
    "region": ["us-central1", "europe-west1", "asia-northeast3", "northamerica-northeast1"],
    "firestore_location": ["nam5", "eur3", "us-central1"],
    "twilio_caller_id": ["+15551234567", "+821012345678", "+4930123456"],
    "twilio_account_sid": ["AC" + "a" * 32],
    "log_level": ["DEBUG", "INFO", "WARNING", "ERROR"],
    "tts_engine": ["google"],
    "crm": ["zendesk"],
    "project_id": ["my-project-123", "acme-cc"],
    "company_subdomain": ["acme", "acme-korea"],
    "twilio_api_base": ["https://api.twilio.com"],
    "voice_fallback_language": ["en-US", "ko-KR"],
    "voice_fallback_queue": ["fallback", "after_hours-1"],
    "alert_notification_channels": [["projects/acme/notificationChannels/123"]],
}

# Values that must be refused, each naming the variable in terraform's error.
BAD: dict[str, list[Any]] = {
    "region": ["us-central1-a", "US-CENTRAL1", "us", "europe west1", ""],
    "firestore_location": ["nam", "us-central1-b", "EU"],
    "twilio_caller_id": ["5551234567", "+1 555 123 4567", "+0123456789", "+1555", "tel:+1555123"],
    "twilio_account_sid": ["SK" + "a" * 32, "AC" + "A" * 32, "AC123", "ac" + "a" * 32],
    "log_level": ["info", "VERBOSE", "WARN", ""],
    "tts_engine": ["espeak", "polly", ""],
    "crm": ["hubspot", "Zendesk"],
    "project_id": ["Acme", "1project", "ab", "my_project"],
    "company_subdomain": ["acme.zendesk.com", "https://acme", "Acme"],
    "twilio_api_base": ["http://api.twilio.com", "https://api.twilio.com/", "api.twilio.com"],
    "voice_fallback_message": ["<Hangup/>", "a & b", ""],
    "voice_fallback_language": ["english", "en_US"],
    "voice_fallback_queue": ["my queue", ""],
    "alert_notification_channels": [["123"]],
    "recordings_lifecycle_age_days": [8, 0],
    "jwt_leeway_seconds": [3600],
    "apps_api_rate_limit": [0, 2.5],
}

# Cross-variable rules: the CRM chosen needs its settings.
BAD_COMBOS: list[tuple[dict[str, Any], str]] = [
    ({"crm": "zendesk", "zendesk_base_url": ""}, "zendesk_base_url"),
    ({"crm": "zendesk", "zendesk_email": ""}, "zendesk_email"),
    ({"crm": "zendesk", "zendesk_base_url": "https://acme.zendesk.com/"}, "zendesk_base_url"),
    ({"crm": "salesforce", "salesforce_base_url": ""}, "salesforce_base_url"),
    ({"crm": "salesforce", "salesforce_client_id": ""}, "salesforce_client_id"),
]
GOOD_COMBOS: list[dict[str, Any]] = [
    {
        "crm": "salesforce",
        "zendesk_base_url": "",
        "zendesk_email": "",
        "salesforce_base_url": "https://acme.my.salesforce.com",
        "salesforce_client_id": "3MVG9",
    },
]

# Variables a wrong value of which breaks the deploy: each must carry a validation block.
MUST_VALIDATE = {
    "project_id",
    "region",
    "firestore_location",
    "twilio_account_sid",
    "twilio_caller_id",
    "twilio_api_base",
    "log_level",
    "tts_engine",
    "crm",
    "zendesk_base_url",
    "salesforce_base_url",
    "company_subdomain",
    "recordings_lifecycle_age_days",
    "voice_fallback_message",
}


def test_the_variables_that_matter_are_validated() -> None:
    variables = tf.variables()
    missing = {v for v in MUST_VALIDATE if not variables[v].get("validation")}
    assert not missing, missing
    for name, v in variables.items():
        for val in v.get("validation", []):
            assert f"var.{name}" in val["condition"], name
            assert len(val["error_message"]) >= 20 and val["error_message"].endswith("."), name


# -- the regexes, in Python ----------------------------------------------------------------


def _hcl_unescape(s: str) -> str:
    return s.replace("\\\\", "\\")


def _regexes() -> dict[str, str]:
    """var name => the pattern of a `can(regex("...", var.name))` in its own validation."""
    out: dict[str, str] = {}
    for name, v in tf.variables().items():
        for val in v.get("validation", []):
            m = re.search(rf'can\(regex\("((?:[^"\\]|\\.)*)", var\.{name}\)\)', val["condition"])
            if m:
                out[name] = _hcl_unescape(m.group(1))
    return out


REGEX_ONLY = {  # validations that are exactly one regex on the value
    "region",
    "firestore_location",
    "twilio_caller_id",
    "twilio_account_sid",
    "project_id",
    "company_subdomain",
    "twilio_api_base",
    "voice_fallback_language",
    "voice_fallback_queue",
}


@pytest.mark.parametrize("name", sorted(REGEX_ONLY))
def test_validation_regex_in_python(name: str) -> None:
    pattern = _regexes()[name]
    for good in GOOD[name]:
        assert re.search(pattern, good), (name, good, pattern)
    for bad in BAD[name]:
        assert not re.search(pattern, bad), (name, bad, pattern)


def test_enumerations_in_python() -> None:
    variables = tf.variables()
    log = variables["log_level"]["validation"][0]["condition"]
    levels = set(re.findall(r'"([A-Z]+)"', log))
    assert set(GOOD["log_level"]) <= levels and not set(BAD["log_level"]) & levels
    import logging

    assert all(isinstance(logging.getLevelName(lv), int) for lv in levels)
    assert variables["tts_engine"]["validation"][0]["condition"] == '${var.tts_engine == "google"}'


# -- every validation block, by terraform itself -------------------------------------------

TERRAFORM = shutil.which("terraform")


def _plan(workdir: Path, values: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    varfile = workdir / "sample.tfvars.json"
    varfile.write_text(json.dumps(values, indent=1))
    env = os.environ | {"TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": os.devnull}
    return subprocess.run(
        [TERRAFORM or "terraform", "plan", "-input=false", "-no-color", "-lock=false",
         f"-var-file={varfile.name}"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )  # fmt: skip


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not TERRAFORM:
        pytest.skip("terraform is not installed here (the Python regex checks above still ran)")
    d = tmp_path_factory.mktemp("tfvars")
    shutil.copy(tf.INFRA / "variables.tf", d / "variables.tf")
    env = os.environ | {"TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": os.devnull}
    r = subprocess.run(
        [TERRAFORM, "init", "-input=false", "-no-color", "-backend=false"],
        cwd=d,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return d


def _refused(output: str) -> set[str]:
    """Variables terraform refused: each error quotes the line of the var file (one
    variable per line, as _plan writes it) that set the offending value."""
    return set(re.findall(r'^\s*\d+:\s+"([a-z_]+)":', output, re.MULTILINE))


def test_terraform_accepts_the_good_values(scratch: Path) -> None:
    width = max(len(v) for v in GOOD.values())
    for i in range(width):
        values = REQUIRED | {k: v[i % len(v)] for k, v in GOOD.items()}
        r = _plan(scratch, values)
        assert r.returncode == 0, (values, r.stdout[-3000:] + r.stderr[-3000:])
    for combo in GOOD_COMBOS:
        r = _plan(scratch, REQUIRED | combo)
        assert r.returncode == 0, (combo, r.stderr[-3000:])


def test_terraform_refuses_each_bad_value(scratch: Path) -> None:
    width = max(len(v) for v in BAD.values())
    for i in range(width):
        bad = {k: v[i] for k, v in BAD.items() if i < len(v)}
        r = _plan(scratch, REQUIRED | bad)
        assert r.returncode != 0
        refused = _refused(r.stderr + r.stdout)
        assert refused == set(bad), (bad, set(bad) ^ refused, r.stderr[-2000:])
    for combo, name in BAD_COMBOS:
        r = _plan(scratch, REQUIRED | combo)
        refused = _refused(r.stderr + r.stdout)
        assert r.returncode != 0 and refused == {name}, (combo, refused, r.stderr[-2000:])
