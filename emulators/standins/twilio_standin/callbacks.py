"""Signed status callbacks and webhooks (X-Twilio-Signature), sent in order."""

from __future__ import annotations

import queue
import threading
import uuid
from typing import Any
from urllib.parse import urlencode

import requests
from twilio.request_validator import RequestValidator


class CallbackDispatcher:
    """Sends signed webhooks in order on one worker thread and logs the outcome."""

    def __init__(self, auth_token: str, timeout: float, sync: bool) -> None:
        self.validator = RequestValidator(auth_token)
        self.timeout = timeout
        self.sync = sync
        self.log: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._worker: threading.Thread | None = None

    def sign(self, url: str, params: dict[str, str]) -> str:
        return self.validator.compute_signature(url, params)

    def deliver(
        self, url: str, params: dict[str, str], method: str = "POST", send_to: str | None = None
    ) -> dict[str, Any]:
        """Send one webhook now (blocking) and return what the target answered."""
        method = method.upper()
        target = send_to or url
        headers = {"User-Agent": "TwilioProxy/1.1", "I-Twilio-Idempotency-Token": uuid.uuid4().hex}
        entry: dict[str, Any] = {"url": url, "method": method, "params": params}
        try:
            if method == "GET":
                sep = "&" if "?" in url else "?"
                signed_url = url + sep + urlencode(params)
                headers["X-Twilio-Signature"] = self.sign(signed_url, {})
                tsep = "&" if "?" in target else "?"
                resp = requests.get(
                    target + tsep + urlencode(params), headers=headers, timeout=self.timeout
                )
            else:
                headers["X-Twilio-Signature"] = self.sign(url, params)
                resp = requests.post(target, data=params, headers=headers, timeout=self.timeout)
            entry.update(
                status=resp.status_code,
                body=resp.text,
                headers=dict(resp.headers),
                signature=headers["X-Twilio-Signature"],
            )
        except requests.RequestException as exc:
            entry.update(status=None, error=f"{type(exc).__name__}: {exc}")
        return entry

    def send(self, url: str, params: dict[str, str], method: str = "POST", kind: str = "") -> None:
        """Queue a callback (or send it inline in sync mode)."""
        job = {"url": url, "params": params, "method": method, "kind": kind}
        if self.sync:
            self._record(job, self.deliver(url, params, method))
            return
        with self._lock:
            self._pending += 1
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._run, daemon=True, name="twilio-callbacks"
                )
                self._worker.start()
        self._queue.put(job)

    def _record(self, job: dict[str, Any], entry: dict[str, Any]) -> None:
        entry["kind"] = job["kind"]
        with self._lock:
            self.log.append(entry)

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            entry = self.deliver(job["url"], job["params"], job["method"])
            self._record(job, entry)
            with self._lock:
                self._pending -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._lock:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def add_log(self, entry: dict[str, Any]) -> None:
        """Log a webhook sent on request (`/_control/send_webhook`) with the callbacks."""
        with self._lock:
            self.log.append(entry)

    def log_snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.log)

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    def close(self) -> None:
        if self._worker is not None:
            self._queue.put(None)
