"""The locals that turn the manifest into functions, grants and subscriptions, evaluated by
terraform itself (offline: locals need no provider) and compared with what the manifest
says. python-hcl2 reads the expressions; a scratch module holds them next to a link to
functions/, so `path.module` resolves the same way."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.infra import tf

TERRAFORM = shutil.which("terraform")

# The manifest-derived locals (no resource, variable or data source in them).
NAMES = [
    "manifest",
    "functions",
    "topics",
    "schedules",
    "secrets",
    "http_functions",
    "event_functions",
    "gcf_functions",
    "run_functions",
    "function_names",
    "account_ids",
    "fn_publish",
    "fn_buckets",
    "fn_secrets",
    "fn_signers",
    "fn_enqueuer",
    "tasks_targets",
    "tick_targets",
    "indexes_file",
    "indexes_doc",
    "ttl_fields",
    "composite_indexes",
    "portal_functions",  # identity.tf: functions with portal_sign_in
]


def _closing(text: str, start: int) -> int:
    """Index of the brace closing the one at `start`, skipping quoted strings."""
    depth, i, quoted = 0, start, False
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise AssertionError(f"unbalanced: {text}")


def _hcl(value: Any) -> str:
    """python-hcl2's serialized expression back to HCL source."""
    if isinstance(value, str):
        if value.startswith("${") and _closing(value, 1) == len(value) - 1:
            return value[2:-1]
        return json.dumps(value)  # a template string such as "${path.module}/x.json"
    return json.dumps(value)


def _console(workdir: Path, expr: str) -> Any:
    env = os.environ | {"TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": os.devnull}
    r = subprocess.run(
        [TERRAFORM or "terraform", "console"],
        input=f"jsonencode({expr})\n",
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    return json.loads(json.loads(r.stdout.strip()))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not TERRAFORM:
        pytest.skip("terraform is not installed here")
    root = tmp_path_factory.mktemp("locals")
    (root / "functions").symlink_to(tf.FUNCTIONS)
    mod = root / "infra"
    mod.mkdir()
    shutil.copy(tf.INFRA / "firestore.indexes.json", mod / "firestore.indexes.json")
    loc = tf.locals_()
    body = "\n".join(f"  {n} = {_hcl(loc[n])}" for n in NAMES)
    # The for_each collections of the real resources, on terraform_data (built in: no
    # provider to download), so terraform checks each is a valid for_each value.
    each = {
        (t, n): b["for_each"]
        for t, n, b in tf.all_resources()
        if isinstance(b.get("for_each"), str) and b["for_each"].startswith("${local.")
    }
    probes = "\n".join(
        f'resource "terraform_data" "{t}__{n}" {{\n'
        f"  for_each = {_hcl(expr)}\n  input = each.key\n}}"
        for (t, n), expr in sorted(each.items())
    )
    (mod / "main.tf").write_text(f"locals {{\n{body}\n}}\n\n{probes}\n")
    (mod / "each.json").write_text(json.dumps(sorted(f"{t}.{n}" for t, n in each)))
    env = os.environ | {"TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": os.devnull}
    r = subprocess.run(
        [TERRAFORM, "init", "-input=false", "-no-color", "-backend=false"],
        cwd=mod,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return mod


def test_every_for_each_is_valid_for_terraform(scratch: Path) -> None:
    probed = json.loads((scratch / "each.json").read_text())
    assert "google_cloudfunctions2_function.fn" in probed
    assert "google_cloud_run_v2_service.fn" in probed
    assert "google_pubsub_subscription.push" in probed
    env = os.environ | {"TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": os.devnull}
    r = subprocess.run(
        [TERRAFORM or "terraform", "plan", "-input=false", "-no-color", "-lock=false"],
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    planned = r.stdout.count("will be created")
    expected = _console(scratch, "length(local.functions)")
    assert planned >= 3 * expected, r.stdout[-2000:]


def test_functions_and_triggers(scratch: Path) -> None:
    fns = _console(scratch, "local.functions")
    assert set(fns) == set(tf.functions())
    for name, f in tf.functions().items():
        got = fns[name]
        assert got["kind"] == ("event" if f["trigger"]["type"] == "pubsub" else "http")
        assert got["topic"] == f["trigger"].get("topic")
        for key in ("module", "public", "secrets", "publishes", "buckets", "memory"):
            assert got[key] == f[key], (name, key)
        assert got["timeout_seconds"] == f["timeout_seconds"]
        assert got["concurrency"] == f["concurrency"]
    assert set(_console(scratch, "local.event_functions")) == set(tf.functions("pubsub"))
    assert set(_console(scratch, "local.http_functions")) == set(tf.functions("http"))
    keeps_cpu = {k for k, f in tf.functions().items() if f.get("cpu_always_allocated")}
    assert set(_console(scratch, "local.run_functions")) == keeps_cpu == {"deflection_http"}
    assert set(_console(scratch, "local.gcf_functions")) == set(tf.functions()) - keeps_cpu
    names = _console(scratch, "local.function_names")
    assert names == {k: k.replace("_", "-") for k in tf.functions()}
    ids = _console(scratch, "local.account_ids")
    assert len(set(ids.values())) == len(ids)


def test_grants_follow_the_manifest(scratch: Path) -> None:
    fns = tf.functions()
    publish = _console(scratch, "local.fn_publish")
    assert set(publish) == {f"{k}/{t}" for k, f in fns.items() for t in f["publishes"]}
    buckets = _console(scratch, "local.fn_buckets")
    assert set(buckets) == {f"{k}/{b}" for k, f in fns.items() for b in f["buckets"]}
    secrets = _console(scratch, "local.fn_secrets")
    assert set(secrets) == {f"{k}/{s}" for k, f in fns.items() for s in f["secrets"]}
    assert set(_console(scratch, "local.fn_signers")) == {
        k for k, f in fns.items() if f["sign_urls"]
    }
    assert set(_console(scratch, "local.fn_enqueuer")) == {
        k for k, f in fns.items() if f["enqueue_tasks"]
    }
    assert set(_console(scratch, "local.tasks_targets")) == {"recordings_http", "deflection_http"}


def test_schedules_topics_secrets_and_ttl(scratch: Path) -> None:
    m = tf.manifest()
    assert _console(scratch, "local.topics") == m["topics"]
    assert _console(scratch, "local.secrets") == m["secrets"]
    assert _console(scratch, "local.schedules") == m["schedules"]
    ticks = _console(scratch, "local.tick_targets")
    for topic in m["schedules"]:
        assert ticks[topic] == [
            k for k, f in tf.functions("pubsub").items() if f["trigger"]["topic"] == topic
        ]
    ttl = _console(scratch, "local.ttl_fields")
    doc = json.loads((tf.INFRA / "firestore.indexes.json").read_text())
    declared = {
        f"{fo['collectionGroup']}|{fo['fieldPath']}"
        for fo in doc["fieldOverrides"]
        if fo.get("ttl")
    }
    assert set(ttl) == declared and "idempotency|expire_at" in declared
