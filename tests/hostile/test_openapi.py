"""The OpenAPI description cannot drift: every Router route is described, every described
route is served, and the committed docs/openapi/*.yaml (and the README's route table) are
what the generator writes from the Routers."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import openapi_check  # noqa: E402
from openapi_routes import AUTH, http_functions  # noqa: E402


def test_every_served_route_is_described_and_back() -> None:
    problems = [p for fn in http_functions() for p in openapi_check.drift(fn)]
    assert not problems, "\n".join(problems)


def test_committed_description_is_current() -> None:
    assert not openapi_check.problems(), "\n".join(openapi_check.problems())


def test_drift_is_detected() -> None:
    """The check itself bites: an operation missing from a description, or one no Router
    serves, is reported."""
    fn = "monitoring_http"
    doc = yaml.safe_load((ROOT / "docs" / "openapi" / f"{fn}.yaml").read_text())
    del doc["paths"]["/calls"]["get"]
    doc["paths"]["/nowhere"] = {"get": {}}
    found = openapi_check.drift(fn, doc)
    assert any("GET /calls is served but not described" in p for p in found)
    assert any("GET /nowhere is described but not served" in p for p in found)


def test_security_schemes_and_operations() -> None:
    for fn in http_functions():
        doc = yaml.safe_load((ROOT / "docs" / "openapi" / f"{fn}.yaml").read_text())
        assert doc["openapi"].startswith("3.1")
        schemes = doc["components"]["securitySchemes"]
        for path, item in doc["paths"].items():
            for method, op in item.items():
                caller = op["x-caller"]
                assert caller in AUTH, (fn, method, path)
                if AUTH[caller] is None:
                    assert op["security"] == []
                else:
                    assert op["security"] == [{caller: []}] and caller in schemes
                assert "4XX" in op["responses"]


def test_make_docs_renders_offline(tmp_path: Path) -> None:
    """`make docs` turns a description into a self-contained page: its operations are
    there and no script is loaded from elsewhere."""
    import re
    import subprocess

    spec = ROOT / "docs" / "openapi" / "recordings_http.yaml"
    out = subprocess.run(
        ["bash", "scripts/docs.sh", str(tmp_path), str(spec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    page = (tmp_path / "recordings_http.html").read_text()
    assert "Short-lived URL of a recording" in page
    assert not re.search(r"<script[^>]+src=", page), "a script is loaded from elsewhere"
    assert 'href="recordings_http.html"' in (tmp_path / "index.html").read_text()
