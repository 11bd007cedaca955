"""Salesforce: one ContentVersion per part linked to the case, found again by its marker
when the acknowledgement is lost."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.helpers.recordings import Pipeline, part_hashes, reset_caches

PART = 4000


@pytest.fixture
def sf(pipe: Pipeline, monkeypatch: pytest.MonkeyPatch) -> Pipeline:
    monkeypatch.setenv("CRM", "salesforce")
    reset_caches()
    return pipe


def _files(pipe: Pipeline, case_id: str) -> list[dict[str, Any]]:
    r = requests.get(f"{pipe.suite.url('salesforce')}/_control/cases/{case_id}/files", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["files"]


def _check(pipe: Pipeline, rec: Any) -> dict[str, Any]:
    d = pipe.doc(rec.sid)
    assert d["status"] == "done" and d["crm"] == "salesforce"
    files = _files(pipe, d["target"])
    n = len(d["parts"])
    assert [f["path_on_client"] for f in files] == [
        f"recording {rec.sid} part {i} of {n}.wav" for i in range(1, n + 1)
    ]
    assert [(f["size"], f["sha256"]) for f in files] == part_hashes(rec, PART)
    assert d["deleted"]["object"] >= d["confirmed_at"]
    assert not pipe.object_exists(rec.sid) and pipe.carrier_deleted(rec.sid)
    return d


def test_salesforce_happy_path(sf: Pipeline) -> None:
    rec = sf.record(5, 2000)
    sf.callback(rec)
    sf.run_tasks()
    d = _check(sf, rec)
    assert len(d["parts"]) == 3


@pytest.mark.parametrize("mode", ["status", "disconnect"])
def test_salesforce_lost_acknowledgement_is_not_sent_twice(sf: Pipeline, mode: str) -> None:
    rec = sf.record(5, 2000)
    # The second part is stored by Salesforce but its answer is lost; then a 503.
    sf.fault(
        "salesforce",
        "content_versions",
        [
            {"kind": "delay", "seconds": 0},
            {"kind": "drop_ack", "mode": mode},
            {"kind": "status", "status": 503},
        ],
    )
    sf.callback(rec)
    ran = sf.run_tasks()
    assert ran[-1]["outcome"] == "done"
    d = _check(sf, rec)
    assert d["parts"][1].get("recovered") is True


def test_salesforce_api_limit(sf: Pipeline) -> None:
    rec = sf.record(3, 2000)
    sf.fault("salesforce", "content_versions", [{"kind": "rate_limit", "retry_after": 3}])
    sf.callback(rec)
    ran = sf.run_tasks()
    assert ran[0]["reason"] == "crm_api_limit" and ran[0]["wait_seconds"] >= 3
    _check(sf, rec)
