"""The emulator suite fails loudly; main.py exposes exactly the declared entry points."""

from __future__ import annotations

import ast
import socket

import pytest

from core.entrypoints import ENTRYPOINTS
from emulators import suite as suite_mod
from tests.conftest import ROOT


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


def test_main_py_matches_entrypoints() -> None:
    tree = ast.parse((ROOT / "functions" / "main.py").read_text())
    funcs = {
        n.name: n
        for n in tree.body
        if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")
    }
    assert set(funcs) == {e.name for e in ENTRYPOINTS}
    for ep in ENTRYPOINTS:
        deco = ast.unparse(funcs[ep.name].decorator_list[0])
        assert deco == (
            "functions_framework.http" if ep.kind == "http" else "functions_framework.cloud_event"
        )
        assert f"'{ep.module}'" in ast.unparse(funcs[ep.name])
        assert (ROOT / "functions" / (ep.module.replace(".", "/") + ".py")).exists(), ep.module
