"""The emulator suite fails loudly; main.py exposes exactly the manifest's functions."""

from __future__ import annotations

import importlib
import json
import socket

import pytest

from core.manifest import PATH, Manifest, manifest
from emulators import suite as suite_mod
from tests.helpers.common import ROOT


def test_missing_gcloud_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(suite_mod.SuiteError) as exc:
        suite_mod.check_prerequisites()
    assert "gcloud CLI is not on PATH" in str(exc.value)
    assert "java is not on PATH" in str(exc.value)


def test_an_emulator_that_dies_is_reported_with_its_log(monkeypatch, tmp_path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))  # bound, not listening: the stand-in cannot bind it
    port = taken.getsockname()[1]
    s = suite_mod.Suite(run_dir=tmp_path, standins=("twilio",))
    monkeypatch.setattr(suite_mod, "free_port", lambda: port)
    try:
        with pytest.raises(suite_mod.SuiteError) as exc:
            s._start_standins()
    finally:
        taken.close()
    assert "twilio did not come up" in str(exc.value)
    assert "last lines of its log" in str(exc.value)
    assert not s.procs  # everything it started was stopped


def test_main_py_defines_every_function_of_the_manifest() -> None:
    import functions_framework._function_registry as registry

    main = importlib.import_module("main")
    fns = manifest().functions
    assert len(fns) >= 12
    defined = {n for n, v in vars(main).items() if callable(v) and n in registry.REGISTRY_MAP}
    assert defined == set(fns)
    for fn in fns.values():
        entry = getattr(main, fn.name)
        # Event functions take the Pub/Sub push over HTTP (core/push.py checks its token).
        assert registry.REGISTRY_MAP[fn.name] == "http", fn.name
        assert entry.__name__ == fn.name
        source = ROOT / "functions" / (fn.module.replace(".", "/") + ".py")
        assert source.exists(), fn.module
        assert "def handle(" in source.read_text(), fn.module


def _fresh_python(code: str) -> str:
    """What `code` prints in a new interpreter started in functions/ (a cold instance)."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "functions",
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    return out.stdout.strip()


def test_handlers_are_imported_lazily() -> None:
    """Importing main (a cold start) loads no handler module."""
    code = (
        "import sys, main; "
        "mods = [m.module for m in main.manifest().functions.values()]; "
        "print([m for m in mods if m in sys.modules])"
    )
    assert _fresh_python(code) == "[]"


def test_a_cold_start_builds_no_config_model() -> None:
    """The first answer of a new instance (the cold-start bench's unknown path) imports each
    HTTP function's router but not the config schema nor the request models built from it:
    those load with the first request that reads or writes the config."""
    code = (
        "import importlib, sys, main, flask; "
        "app = flask.Flask('t'); "
        "mods = [f.module for f in main.manifest().http]; "
        "ctx = app.test_request_context('/__cold_start_probe'); ctx.push(); "
        "codes = [importlib.import_module(m).handle(flask.request).status_code for m in mods]; "
        "heavy = ('core.config.schema', 'settings.models', 'email_validator', 'yaml'); "
        "print(set(codes), [m for m in heavy if m in sys.modules])"
    )
    assert _fresh_python(code) == "{404} []"


def test_the_entry_module_loads_without_collecting_and_leaves_collection_on() -> None:
    """main.py turns the garbage collector off while it imports (a cold start's objects
    are not garbage) and on again with everything loaded frozen, also when it refuses to
    start; left off, every instance would grow without bound."""
    code = "import gc, sys; import main; print(gc.isenabled(), gc.get_freeze_count() > 10000)"
    assert _fresh_python(code) == "True True"
    refused = (
        "import gc, os\n"
        "os.environ['K_SERVICE'] = 'deflection-http'\n"
        "try:\n"
        "    import main\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, gc.isenabled())\n"
    )
    assert _fresh_python(refused) == "SettingsError True"


def test_manifest_is_consistent() -> None:
    from deflection import scheduled
    from recordings import tasks

    m = manifest()
    assert m.function("recordings_http").tasks_path == tasks.ROUTE
    assert m.function("deflection_http").tasks_path == scheduled.TASK_ROUTE
    assert {f.topic for f in m.events} <= set(m.topics)
    assert set(m.schedules) <= set(m.topics)
    for fn in m.functions.values():
        assert fn.service == fn.name.replace("_", "-")
        assert m.by_service(fn.service) is fn and m.by_service(fn.name) is fn


def test_manifest_refuses_an_undeclared_secret_or_topic() -> None:
    raw = json.loads(PATH.read_text())
    bad = json.loads(json.dumps(raw))
    bad["functions"]["sessions_http"]["secrets"].append("no_such_secret")
    with pytest.raises(ValueError, match="no_such_secret"):
        Manifest.model_validate(bad)
    bad = json.loads(json.dumps(raw))
    bad["functions"]["sessions_outbox"]["trigger"]["topic"] = "nope"
    with pytest.raises(ValueError, match="nope"):
        Manifest.model_validate(bad)


def test_readme_function_table_is_the_manifest() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import readme_functions

    text = (ROOT / "README.md").read_text()
    assert readme_functions.current(text) == readme_functions.render(manifest())
    # The hand-written callers table names every function, and only those.
    callers = text.split("Who calls them, and their main routes:", 1)[1].split("\n## ", 1)[0]
    import re

    named = set(re.findall(r"`([a-z]+_[a-z_]+)`", callers))
    assert set(manifest().functions) <= named
    assert {n for n in named if n.endswith(("_http", "_sweeper", "_event", "_outbox"))} <= set(
        manifest().functions
    )


def test_route_modules_are_imported_on_first_use() -> None:
    """A function's router loads its handler modules only when a request needs them (cold
    start); the first call imports the module and reaches the real handler."""
    import subprocess
    import sys

    code = (
        "import sys, main, deflection.http as h; "
        "before = 'deflection.ivr' in sys.modules; "
        "from core.http import LazyModule; "
        "m = LazyModule('deflection.routing'); "
        "m.check_query({}, frozenset()); "
        "print(before, 'deflection.routing' in sys.modules, "
        "LazyModule('deflection.scheduled').TASK_ROUTE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "functions",
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.split() == [
        "False",
        "True",
        manifest().function("deflection_http").tasks_path,
    ]


def test_a_stand_ins_uploads_live_in_the_suites_run_directory(suite) -> None:
    """Bodies uploaded to a stand-in (gigabytes in the recording benches) are kept under
    the suite's run directory, which the suite removes, not in the system temp directory,
    where a stand-in stopped by a signal left them behind."""
    import requests

    r = requests.post(
        suite.url("zendesk") + "/api/v2/uploads.json",
        params={"filename": "probe.wav"},
        data=b"RIFF" + b"\0" * 1024,
        headers={"Content-Type": "audio/wav"},
        auth=(f"{suite_mod.ZENDESK_EMAIL}/token", suite_mod.ZENDESK_TOKEN),
        timeout=10,
    )
    assert r.status_code == 201, r.text
    kept = [p for p in (suite.run_dir / "tmp" / "zendesk").rglob("blob-*") if p.is_file()]
    assert kept and any(p.stat().st_size == 1028 for p in kept)
