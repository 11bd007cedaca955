"""Helpers of the recordings tests (plain functions, constants and classes; the fixtures
are in tests/recordings/conftest.py)."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import requests

from emulators.standins.twilio_server import second_bytes
from tests.helpers.common import twilio_signed

LOCAL_QUEUE = "recording-delivery-local"


PUBLIC = "https://functions.test"


def reset_caches() -> None:
    from core import caches

    caches.reset()


@dataclass
class Rec:
    sid: str
    call_sid: str
    seconds: int
    bps: int
    present: list[int] = field(default_factory=list)  # clock seconds present in the media

    @property
    def size(self) -> int:
        return len(self.present) * self.bps


def rec_sha256(rec: Rec) -> str:
    h = hashlib.sha256()
    for k in rec.present:
        h.update(second_bytes(rec.sid, k, rec.bps))
    return h.hexdigest()


def part_hashes(rec: Rec, part_size: int) -> list[tuple[int, str]]:
    """(size, sha256) of each expected part, computed second by second (bounded memory)."""
    out: list[tuple[int, str]] = []
    h, n = hashlib.sha256(), 0
    for k in rec.present:
        data = second_bytes(rec.sid, k, rec.bps)
        while data:
            take = min(len(data), part_size - n)
            h.update(data[:take])
            n += take
            data = data[take:]
            if n == part_size:
                out.append((n, h.hexdigest()))
                h, n = hashlib.sha256(), 0
    if n:
        out.append((n, h.hexdigest()))
    return out


class Pipeline:
    def __init__(self, suite: Any, client: Any) -> None:
        self.suite = suite
        self.client = client
        self.executed: list[dict[str, Any]] = []

    # -- carrier side ------------------------------------------------------------------
    def record(
        self,
        seconds: int,
        bps: int,
        paused: list[tuple[int, int]] | None = None,
        call_sid: str | None = None,
    ) -> Rec:
        call_sid = call_sid or "CA" + secrets.token_hex(16)
        sid = "RE" + secrets.token_hex(16)
        spans = [{"start": a, "end": b, "behavior": "skip"} for a, b in paused or []]
        r = requests.post(
            f"{self.suite.url('twilio')}/_control/recordings",
            json={
                "call_sid": call_sid,
                "sid": sid,
                "seconds": seconds,
                "bytes_per_second": bps,
                "paused_spans": spans,
                "status": "completed",
            },
            timeout=10,
        )
        assert r.status_code == 201, r.text
        skipped = {k for a, b in paused or [] for k in range(a, b)}
        return Rec(sid, call_sid, seconds, bps, [k for k in range(seconds) if k not in skipped])

    def callback_params(self, rec: Rec) -> dict[str, str]:
        from core.carrier import api_url

        return {
            "AccountSid": "AC" + "0" * 32,
            "CallSid": rec.call_sid,
            "RecordingSid": rec.sid,
            "RecordingUrl": api_url(f"Recordings/{rec.sid}"),
            "RecordingStatus": "completed",
            "RecordingDuration": str(len(rec.present)),
            "RecordingChannels": "1",
            "RecordingSource": "StartCallRecordingAPI",
        }

    def callback(self, rec: Rec, params: dict[str, str] | None = None) -> Any:
        params = params or self.callback_params(rec)
        url = f"{PUBLIC}/twilio/recording-status"
        return self.client.post(
            "/twilio/recording-status", data=params, headers=twilio_signed(url, params)
        )

    # -- the queue ----------------------------------------------------------------------
    def queued(self) -> list[Any]:
        from core import clients
        from recordings import tasks

        return list(clients.tasks().list_tasks(parent=tasks.queue()))

    def purge(self) -> None:
        from core import clients
        from recordings import tasks

        clients.tasks().purge_queue(name=tasks.queue())

    def deliver(self, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
        resp = self.client.post("/tasks/deliver", data=body, headers=headers)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp.get_json()

    def run_round(self) -> list[dict[str, Any]]:
        """Run only the tasks queued now (what they enqueue stays queued)."""
        ran: list[dict[str, Any]] = []
        batch = self.queued()
        self.purge()
        for t in batch:
            out = self.deliver(bytes(t.http_request.body), dict(t.http_request.headers))
            ran.append({"task": t.name.rsplit("/", 1)[-1], **out})
        return ran

    def run_tasks(
        self, limit: int = 200, duplicate: bool = False, honour_leases: bool = True
    ) -> list[dict[str, Any]]:
        """Run queued tasks until none is left (each one twice with `duplicate`)."""
        ran: list[dict[str, Any]] = []
        for _ in range(limit):
            batch = self.queued()
            if not batch:
                return ran
            self.purge()
            for t in batch:
                req = t.http_request
                body = bytes(req.body)
                wait = t.schedule_time.timestamp() - time.time() if t.schedule_time else 0
                payload = json.loads(body)
                if honour_leases and "-w" in t.name.rsplit("/", 1)[-1] and wait > 0:
                    time.sleep(min(wait, 10))  # a lease follow-up: only useful after expiry
                for _ in range(2 if duplicate else 1):
                    out = self.deliver(body, dict(req.headers))
                    entry = {
                        "task": t.name.rsplit("/", 1)[-1],
                        "wait": wait,
                        "gen": payload["gen"],
                        **out,
                    }
                    ran.append(entry)
                    self.executed.append(entry)
        raise AssertionError(f"tasks still queued after {limit} rounds: {ran[-5:]}")

    # -- checks ------------------------------------------------------------------------
    def doc(self, sid: str) -> dict[str, Any]:
        from recordings import state

        d = state.get(sid)
        assert d is not None
        return d

    def attachments(self, ticket_id: str | int) -> list[dict[str, Any]]:
        r = requests.get(
            f"{self.suite.url('zendesk')}/_control/tickets/{ticket_id}/attachments", timeout=10
        )
        assert r.status_code == 200, r.text
        return r.json()["attachments"]

    def comments(self, ticket_id: str | int) -> list[dict[str, Any]]:
        r = requests.get(f"{self.suite.url('zendesk')}/_control/tickets", timeout=10).json()
        for t in r["tickets"]:
            if str(t["id"]) == str(ticket_id):
                return list(t["comments"])
        raise AssertionError(f"no ticket {ticket_id}")

    def uploads(self) -> list[dict[str, Any]]:
        return requests.get(f"{self.suite.url('zendesk')}/_control/uploads", timeout=10).json()[
            "uploads"
        ]

    def object_exists(self, sid: str) -> bool:
        from recordings import storage_io

        return storage_io.exists(sid)

    def carrier_deleted(self, sid: str) -> bool:
        r = requests.get(f"{self.suite.url('twilio')}/_control/deletions", timeout=10).json()
        items = r.get("deletions", r) if isinstance(r, dict) else r
        return any(d.get("sid") == sid and d.get("type") == "recording" for d in items)

    def assert_delivered(self, rec: Rec, part_size: int) -> dict[str, Any]:
        """Every part attached once, in order, byte-identical; our copy deleted after the
        CRM's confirmation, the carrier's once ours was verified."""
        d = self.doc(rec.sid)
        assert d["status"] == "done", d
        expected = part_hashes(rec, part_size)
        atts = [a for a in self.attachments(d["target"]) if rec.sid in a["file_name"]]
        n = len(expected)
        marker = f"[cc-recording:{rec.sid}]"
        notes = [c for c in self.comments(d["target"]) if marker in c["body"]]
        assert len(notes) == 1, notes  # one comment for the recording, even when empty
        assert [a["file_name"] for a in atts] == [
            f"recording {rec.sid} part {i} of {n}.wav" for i in range(1, n + 1)
        ]
        assert [(a["size"], a["sha256"]) for a in atts] == expected
        assert len({a["comment_id"] for a in atts}) <= 1  # one comment carries them all
        # Our copy goes only after the CRM confirmed; the carrier's as soon as ours was
        # complete and verified, before the CRM saw anything (source rule: once submitted,
        # the carrier cannot access the recording at any time).
        assert d["deleted"]["object"] >= d["confirmed_at"]
        assert d["verified_at"] <= d["deleted"]["carrier"] <= d["confirmed_at"]
        assert d["sha256"] == rec_sha256(rec)
        assert not self.object_exists(rec.sid)
        assert self.carrier_deleted(rec.sid)
        return d

    def fault(
        self, name: str, route: str, faults: list[dict[str, Any]], method: str | None = None
    ) -> None:
        spec: dict[str, Any] = {"route": route, "faults": faults}
        if method:
            spec["method"] = method
        r = requests.post(f"{self.suite.url(name)}/_control/faults", json=spec, timeout=10)
        assert r.status_code in (200, 201), r.text
