"""Local stand-in for Twilio's Voice/Messaging REST API (2010-04-01) with fault injection.

Production code only gets a base URL and credentials, so this speaks Twilio's wire format:
form-encoded requests, JSON answers shaped like Twilio's, Basic auth AccountSid:AuthToken,
signed (X-Twilio-Signature) status callbacks. Recording media is generated on the fly and
is deterministic, so tests can tell exactly which seconds reached the CRM.
"""

from __future__ import annotations

import argparse
import hashlib
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode

import requests
from flask import Flask, Response, jsonify, request
from twilio.request_validator import RequestValidator

from emulators.standins.common import (
    CHUNK,
    Fault,
    ServerHandle,
    Standin,
    env,
    faultable,
    install,
    json_error,
    ranged_response,
    retry_after_headers,
    run_main,
    serve_app,
    standin_of,
)

DEFAULT_ACCOUNT_SID = "AC00000000000000000000000000000000"
DEFAULT_AUTH_TOKEN = "local-twilio-token"
DEFAULT_PORT = 8180
API_VERSION = "2010-04-01"
FINAL_CALL_STATUSES = {"completed", "canceled", "failed", "busy", "no-answer"}
# Twilio's StatusCallbackEvent names for call statuses.
CALL_EVENT_OF_STATUS = {"queued": "initiated", "ringing": "ringing", "in-progress": "answered"}


# --------------------------------------------------------------------------- helpers


def new_sid(prefix: str) -> str:
    """A Twilio-shaped SID: two-letter prefix + 32 hex digits."""
    return prefix + uuid.uuid4().hex


def rfc2822(dt: datetime | None) -> str | None:
    """Twilio prints dates in RFC 2822 (e.g. 'Tue, 31 Aug 2010 20:36:28 +0000')."""
    return None if dt is None else format_datetime(dt)


def as_bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() == "true"


def twilio_error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """Twilio's JSON error envelope."""
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return json_error(status, body, headers)


def _fault_error(status: int, fault: Fault | None) -> Response:
    codes = {
        429: (20429, "Too Many Requests"),
        500: (20500, "Internal Server Error"),
        503: (20503, "Service Unavailable"),
        401: (20003, "Authenticate"),
        404: (20404, "The requested resource was not found"),
    }
    code, message = codes.get(status, (20500 if status >= 500 else 20001, "Injected fault"))
    return twilio_error(status, code, message, retry_after_headers(fault))


def created(body: Any) -> Response:
    """A JSON 201 answer."""
    resp = jsonify(body)
    resp.status_code = 201
    return resp


def _strip_json(name: str) -> str:
    return name[:-5] if name.endswith(".json") else name


# --------------------------------------------------------------------------- recording media

MARKER_PREFIX = b"SEC:"


def second_marker(k: int) -> bytes:
    """The ASCII marker that opens second `k` of a generated recording."""
    return b"SEC:%06d|" % k


def _filler_pattern(sid: str, k: int) -> bytes:
    # Lowercase hex can never contain the upper-case marker, so markers are unambiguous.
    return hashlib.sha256(f"{sid}:{k}".encode()).hexdigest().encode()


def second_bytes(
    sid: str, k: int, bytes_per_second: int, start: int = 0, stop: int | None = None
) -> bytes:
    """Bytes [start, stop) of second `k` of recording `sid` (marker, then filler)."""
    stop = bytes_per_second if stop is None else min(stop, bytes_per_second)
    if stop <= start:
        return b""
    marker = second_marker(k)
    out = bytearray()
    if start < len(marker):
        out += marker[start : min(stop, len(marker))]
    fa = max(start, len(marker)) - len(marker)
    fb = stop - len(marker)
    if fb > fa:
        pat = _filler_pattern(sid, k)
        rot = fa % len(pat)
        n = fb - fa
        reps = (n + rot) // len(pat) + 1
        out += (pat * reps)[rot : rot + n]
    return bytes(out)


def throttled(
    produce: Callable[[int, int], Iterator[bytes]], bytes_per_second: float
) -> Callable[[int, int], Iterator[bytes]]:
    """`produce`, paced to `bytes_per_second` in tenth-of-a-second slices (a slow link)."""

    def paced(start: int, stop: int) -> Iterator[bytes]:
        slice_ = max(1, int(bytes_per_second / 10))
        began, sent = time.monotonic(), 0
        for block in produce(start, stop):
            for i in range(0, len(block), slice_):
                piece = block[i : i + slice_]
                sent += len(piece)
                ahead = sent / bytes_per_second - (time.monotonic() - began)
                if ahead > 0:
                    time.sleep(ahead)
                yield piece

    return paced


def expected_media(sid: str, seconds: list[int | None], bytes_per_second: int) -> bytes:
    """Whole media for small recordings: an int is an active second, None a silent one."""
    return b"".join(
        b"\x00" * bytes_per_second if k is None else second_bytes(sid, k, bytes_per_second)
        for k in seconds
    )


@dataclass
class Recording:
    """A call recording with a simulated clock made of runs of active/paused seconds."""

    sid: str
    account_sid: str
    call_sid: str
    bytes_per_second: int
    date_created: datetime
    conference_sid: str | None = None
    source: str = "StartCallRecordingAPI"
    channels: int = 1
    status: str = "in-progress"
    pause_behavior: str = "silence"
    runs: list[list[Any]] = field(default_factory=list)  # [state, seconds]
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: set[str] = field(default_factory=lambda: {"completed"})
    date_updated: datetime | None = None
    deleted: bool = False

    def add(self, state: str, seconds: int) -> None:
        if seconds <= 0:
            return
        if self.runs and self.runs[-1][0] == state:
            self.runs[-1][1] += seconds
        else:
            self.runs.append([state, seconds])

    def segments(self) -> list[tuple[int, int, int, bool]]:
        """(media offset, first clock second, count, silent) for every present run."""
        out: list[tuple[int, int, int, bool]] = []
        offset = k = 0
        for state, n in self.runs:
            if state != "skip":
                out.append((offset, k, n, state == "silence"))
                offset += n * self.bytes_per_second
            k += n
        return out

    @property
    def present_seconds(self) -> int:
        return sum(n for state, n in self.runs if state != "skip")

    @property
    def clock_seconds(self) -> int:
        return sum(n for _, n in self.runs)

    @property
    def media_size(self) -> int:
        return self.present_seconds * self.bytes_per_second

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    def produce(self, start: int, stop: int) -> Iterator[bytes]:
        """Generate media bytes [start, stop) in ~CHUNK pieces, never the whole file."""
        bps = self.bytes_per_second
        buf = bytearray()
        for seg_off, first_k, n, silent in self.segments():
            seg_end = seg_off + n * bps
            if seg_end <= start or seg_off >= stop:
                continue
            lo = max(start, seg_off) - seg_off
            hi = min(stop, seg_end) - seg_off
            i = lo // bps
            while i * bps < hi:
                a = max(lo - i * bps, 0)
                b = min(hi - i * bps, bps)
                while a < b:
                    piece_end = min(b, a + CHUNK)
                    if silent:
                        buf += bytes(piece_end - a)
                    else:
                        buf += second_bytes(self.sid, first_k + i, bps, a, piece_end)
                    a = piece_end
                    if len(buf) >= CHUNK:
                        yield bytes(buf)
                        buf.clear()
                i += 1
        if buf:
            yield bytes(buf)


# --------------------------------------------------------------------------- other models


@dataclass
class Call:
    sid: str
    account_sid: str
    to: str
    from_: str
    status: str
    direction: str
    date_created: datetime
    url: str | None = None
    twiml: str | None = None
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: set[str] = field(default_factory=set)
    conference_sid: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    date_updated: datetime | None = None
    sequence: int = 0
    parent_call_sid: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Participant:
    call_sid: str
    conference_sid: str
    account_sid: str
    label: str | None
    muted: bool
    hold: bool
    coaching: bool
    call_sid_to_coach: str | None
    start_conference_on_enter: bool
    end_conference_on_exit: bool
    beep: str
    early_media: bool
    status: str
    date_created: datetime
    date_updated: datetime
    params: dict[str, str] = field(default_factory=dict)
    updates: list[dict[str, str]] = field(default_factory=list)
    removed: bool = False


@dataclass
class Conference:
    sid: str
    account_sid: str
    friendly_name: str
    status: str
    date_created: datetime
    date_updated: datetime
    participants: dict[str, Participant] = field(default_factory=dict)
    history: list[Participant] = field(default_factory=list)
    reason_conference_ended: str | None = None
    call_sid_ending_conference: str | None = None


# --------------------------------------------------------------------------- callbacks


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

    def close(self) -> None:
        if self._worker is not None:
            self._queue.put(None)


# --------------------------------------------------------------------------- the app


def create_app(
    account_sid: str | None = None,
    auth_token: str | None = None,
    api_keys: dict[str, str] | None = None,
    recording_bytes_per_second: int = 16000,
    sync_callbacks: bool = False,
    callback_timeout: float = 10.0,
) -> Flask:
    """Build the Twilio stand-in. Credentials default to TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN."""
    account_sid = account_sid or env("TWILIO_ACCOUNT_SID", DEFAULT_ACCOUNT_SID)
    auth_token = auth_token or env("TWILIO_AUTH_TOKEN", DEFAULT_AUTH_TOKEN)
    keys = dict(api_keys or {})

    app = Flask("twilio_standin")
    st: Standin = install(app, _fault_error, limit_status=429)
    lock = st.lock
    dispatcher = CallbackDispatcher(auth_token, callback_timeout, sync_callbacks)
    st.on_close(dispatcher.close)

    calls: dict[str, Call] = {}
    conferences: dict[str, Conference] = {}
    recordings: dict[str, Recording] = {}
    messages: dict[str, dict[str, Any]] = {}
    deletions: list[dict[str, Any]] = []
    # A slow carrier link: recording media is served at most this fast (None: no limit).
    media_rate: dict[str, float | None] = {"bytes_per_second": None}

    def _reset() -> None:
        media_rate["bytes_per_second"] = None
        calls.clear()
        conferences.clear()
        recordings.clear()
        messages.clear()
        deletions.clear()
        with dispatcher._lock:
            dispatcher.log.clear()

    st.on_reset(_reset)
    base = f"/{API_VERSION}/Accounts/<acct>"

    def now() -> datetime:
        return st.clock.now()

    def root_url() -> str:
        return request.url_root.rstrip("/")

    def acct_uri(rest: str) -> str:
        return f"/{API_VERSION}/Accounts/{account_sid}/{rest}"

    # ------------------------------------------------------------------ auth

    @app.before_request
    def _auth() -> Response | None:
        if not request.path.startswith(f"/{API_VERSION}/"):
            return None
        creds = request.authorization
        ok = creds is not None and (
            (creds.username == account_sid and creds.password == auth_token)
            or (creds.username in keys and keys[creds.username] == creds.password)
        )
        if not ok:
            return twilio_error(
                401,
                20003,
                "Authentication Error - invalid username",
                {"WWW-Authenticate": 'Basic realm="Twilio API"'},
            )
        parts = request.path.split("/")
        if len(parts) > 3 and parts[2] == "Accounts" and _strip_json(parts[3]) != account_sid:
            return not_found()
        return None

    def not_found() -> Response:
        return twilio_error(404, 20404, f"The requested resource {request.path} was not found")

    def bad_param(message: str, code: int = 20001) -> Response:
        return twilio_error(400, code, message)

    # ------------------------------------------------------------------ rendering

    def call_json(c: Call) -> dict[str, Any]:
        duration = None
        if c.start_time and c.end_time:
            duration = str(int((c.end_time - c.start_time).total_seconds()))
        elif c.status in FINAL_CALL_STATUSES:
            duration = "0"
        uri = acct_uri(f"Calls/{c.sid}.json")
        return {
            "sid": c.sid,
            "account_sid": c.account_sid,
            "parent_call_sid": c.parent_call_sid,
            "to": c.to,
            "to_formatted": c.to,
            "from": c.from_,
            "from_formatted": c.from_,
            "phone_number_sid": None,
            "status": c.status,
            "start_time": rfc2822(c.start_time),
            "end_time": rfc2822(c.end_time),
            "duration": duration,
            "price": None,
            "price_unit": "USD",
            "direction": c.direction,
            "answered_by": None,
            "api_version": API_VERSION,
            "forwarded_from": None,
            "group_sid": None,
            "caller_name": None,
            "queue_time": "0",
            "trunk_sid": None,
            "date_created": rfc2822(c.date_created),
            "date_updated": rfc2822(c.date_updated or c.date_created),
            "uri": uri,
            "subresource_uris": {
                "recordings": acct_uri(f"Calls/{c.sid}/Recordings.json"),
                "notifications": acct_uri(f"Calls/{c.sid}/Notifications.json"),
                "events": acct_uri(f"Calls/{c.sid}/Events.json"),
            },
        }

    def conference_json(c: Conference) -> dict[str, Any]:
        return {
            "sid": c.sid,
            "account_sid": c.account_sid,
            "friendly_name": c.friendly_name,
            "status": c.status,
            "region": "us1",
            "api_version": API_VERSION,
            "date_created": rfc2822(c.date_created),
            "date_updated": rfc2822(c.date_updated),
            "reason_conference_ended": c.reason_conference_ended,
            "call_sid_ending_conference": c.call_sid_ending_conference,
            "uri": acct_uri(f"Conferences/{c.sid}.json"),
            "subresource_uris": {
                "participants": acct_uri(f"Conferences/{c.sid}/Participants.json"),
                "recordings": acct_uri(f"Conferences/{c.sid}/Recordings.json"),
            },
        }

    def participant_json(p: Participant, status: str | None = None) -> dict[str, Any]:
        return {
            "account_sid": p.account_sid,
            "call_sid": p.call_sid,
            "label": p.label,
            "call_sid_to_coach": p.call_sid_to_coach,
            "coaching": p.coaching,
            "conference_sid": p.conference_sid,
            "date_created": rfc2822(p.date_created),
            "date_updated": rfc2822(p.date_updated),
            "end_conference_on_exit": p.end_conference_on_exit,
            "muted": p.muted,
            "hold": p.hold,
            "start_conference_on_enter": p.start_conference_on_enter,
            "status": status or p.status,
            "queue_time": None,
            "uri": acct_uri(f"Conferences/{p.conference_sid}/Participants/{p.call_sid}.json"),
        }

    def participant_record(p: Participant) -> dict[str, Any]:
        """Control view: everything, including the Beep each participant was created with."""
        out = participant_json(p)
        out.update(
            beep=p.beep,
            early_media=p.early_media,
            removed=p.removed,
            params=p.params,
            updates=p.updates,
        )
        return out

    def recording_json(r: Recording) -> dict[str, Any]:
        done = r.completed
        return {
            "sid": r.sid,
            "account_sid": r.account_sid,
            "api_version": API_VERSION,
            "call_sid": r.call_sid,
            "conference_sid": r.conference_sid,
            "date_created": rfc2822(r.date_created),
            "date_updated": rfc2822(r.date_updated or r.date_created),
            "start_time": rfc2822(r.date_created),
            "duration": str(r.present_seconds) if done else "-1",
            "price": None,
            "price_unit": "USD",
            "status": r.status,
            "channels": r.channels,
            "source": r.source,
            "error_code": None,
            "track": "both",
            "encryption_details": None,
            "uri": acct_uri(f"Recordings/{r.sid}.json"),
            "media_url": f"{root_url()}{acct_uri(f'Recordings/{r.sid}')}",
            "subresource_uris": {
                "add_on_results": acct_uri(f"Recordings/{r.sid}/AddOnResults.json"),
                "transcriptions": acct_uri(f"Recordings/{r.sid}/Transcriptions.json"),
            },
        }

    def message_json(m: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in m.items() if not k.startswith("_")}

    def page(key: str, items: list[dict[str, Any]], path: str) -> Response:
        """Twilio's 2010 paging envelope."""
        try:
            size = max(1, min(1000, int(request.args.get("PageSize", 50))))
            number = max(0, int(request.args.get("Page", 0)))
        except ValueError:
            return bad_param("Invalid paging parameter")
        start = number * size
        chunk = items[start : start + size]
        filters = {
            k: v for k, v in request.args.items() if k not in ("Page", "PageSize", "PageToken")
        }

        def uri_for(n: int) -> str:
            q = urlencode({**filters, "PageSize": size, "Page": n})
            return f"{acct_uri(path)}?{q}"

        has_next = start + size < len(items)
        return jsonify(
            {
                key: chunk,
                "first_page_uri": uri_for(0),
                "next_page_uri": uri_for(number + 1) if has_next else None,
                "previous_page_uri": uri_for(number - 1) if number > 0 else None,
                "page": number,
                "page_size": size,
                "start": start,
                "end": start + max(len(chunk) - 1, 0),
                "uri": uri_for(number),
            }
        )

    # ------------------------------------------------------------------ state changes

    def fire_call_callback(c: Call, status: str) -> None:
        if not c.status_callback:
            return
        event = "completed" if status in FINAL_CALL_STATUSES else CALL_EVENT_OF_STATUS.get(status)
        if event is None:
            return
        if event != "completed" and event not in c.status_callback_events:
            return
        params: dict[str, str] = {
            "AccountSid": c.account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": c.sid,
            "CallStatus": status,
            "Called": c.to,
            "Caller": c.from_,
            "Direction": c.direction,
            "From": c.from_,
            "To": c.to,
            "CallbackSource": "call-progress-events",
            "SequenceNumber": str(c.sequence),
            "Timestamp": rfc2822(now()) or "",
        }
        c.sequence += 1
        if c.parent_call_sid:
            params["ParentCallSid"] = c.parent_call_sid
        if status in FINAL_CALL_STATUSES:
            duration = 0
            if c.start_time and c.end_time:
                duration = int((c.end_time - c.start_time).total_seconds())
            params["CallDuration"] = str(duration)
            params["Duration"] = str((duration + 59) // 60)
        dispatcher.send(c.status_callback, params, c.status_callback_method, kind="call-status")

    def set_call_status(c: Call, status: str, reason: str = "api") -> None:
        if c.status == status:
            return
        if c.status in FINAL_CALL_STATUSES:
            return
        t = now()
        c.status = status
        c.date_updated = t
        c.history.append({"at": rfc2822(t), "status": status, "reason": reason})
        if status == "in-progress" and c.start_time is None:
            c.start_time = t
        if status in FINAL_CALL_STATUSES:
            c.end_time = t
            if c.start_time is None:
                c.start_time = t
            for r in list(recordings.values()):
                if r.call_sid == c.sid and r.status in ("in-progress", "paused"):
                    complete_recording(r)
            if c.conference_sid and c.conference_sid in conferences:
                conf = conferences[c.conference_sid]
                if c.sid in conf.participants:
                    leave_conference(conf, conf.participants[c.sid], kicked=False)
        fire_call_callback(c, status)

    def leave_conference(conf: Conference, p: Participant, kicked: bool) -> None:
        """Remove a participant; end its call if kicked; end the conference if needed."""
        if p.removed:
            return
        p.removed = True
        p.status = "complete"
        p.date_updated = now()
        conf.participants.pop(p.call_sid, None)
        call = calls.get(p.call_sid)
        if kicked and call is not None:
            set_call_status(call, "completed", reason="participant-removed")
        if conf.status == "completed":
            return
        if p.end_conference_on_exit:
            end_conference(conf, "participant-with-end-conference-on-exit-left", p.call_sid)
        elif not conf.participants:
            reason = "last-participant-kicked" if kicked else "last-participant-left"
            end_conference(conf, reason, p.call_sid)

    def end_conference(conf: Conference, reason: str, by_call: str | None) -> None:
        if conf.status == "completed":
            return
        conf.status = "completed"
        conf.reason_conference_ended = reason
        conf.call_sid_ending_conference = by_call
        conf.date_updated = now()
        for other in list(conf.participants.values()):
            leave_conference(conf, other, kicked=True)

    def get_or_create_conference(name: str, create: bool) -> Conference | None:
        conf = conferences.get(name)
        if conf is None:
            conf = next(
                (
                    c
                    for c in conferences.values()
                    if c.friendly_name == name and c.status != "completed"
                ),
                None,
            )
        if conf is None and create:
            t = now()
            sid = name if name.startswith("CF") and len(name) == 34 else new_sid("CF")
            conf = Conference(sid, account_sid, name, "in-progress", t, t)
            conferences[sid] = conf
        return conf

    def add_participant(
        conf: Conference, call: Call, form: dict[str, str], status: str
    ) -> Participant:
        t = now()
        p = Participant(
            call_sid=call.sid,
            conference_sid=conf.sid,
            account_sid=account_sid,
            label=form.get("Label") or None,
            muted=as_bool(form.get("Muted")),
            hold=as_bool(form.get("Hold")),
            coaching=as_bool(form.get("Coaching"), default=bool(form.get("CallSidToCoach"))),
            call_sid_to_coach=form.get("CallSidToCoach") or None,
            start_conference_on_enter=as_bool(form.get("StartConferenceOnEnter"), True),
            end_conference_on_exit=as_bool(form.get("EndConferenceOnExit")),
            beep=form.get("Beep", "true") or "true",
            early_media=as_bool(form.get("EarlyMedia"), True),
            status=status,
            date_created=t,
            date_updated=t,
            params=dict(form),
        )
        conf.participants[call.sid] = p
        conf.history.append(p)
        conf.status = "in-progress"
        conf.date_updated = t
        call.conference_sid = conf.sid
        return p

    def complete_recording(r: Recording) -> None:
        if r.status == "completed":
            return
        r.status = "completed"
        r.date_updated = now()
        if r.status_callback and "completed" in r.status_callback_events:
            params = {
                "AccountSid": r.account_sid,
                "CallSid": r.call_sid,
                "RecordingSid": r.sid,
                "RecordingUrl": f"{root_url()}{acct_uri(f'Recordings/{r.sid}')}",
                "RecordingStatus": "completed",
                "RecordingDuration": str(r.present_seconds),
                "RecordingChannels": str(r.channels),
                "RecordingStartTime": rfc2822(r.date_created) or "",
                "RecordingSource": r.source,
                "RecordingTrack": "both",
                "ErrorCode": "0",
            }
            if r.conference_sid:
                params["ConferenceSid"] = r.conference_sid
            dispatcher.send(r.status_callback, params, r.status_callback_method, "recording-status")

    def new_call(
        form: dict[str, str], status: str, direction: str, events: set[str] | None = None
    ) -> Call:
        t = now()
        c = Call(
            sid=form.get("Sid") or new_sid("CA"),
            account_sid=account_sid,
            to=form.get("To", ""),
            from_=form.get("From", ""),
            status=status,
            direction=direction,
            date_created=t,
            date_updated=t,
            url=form.get("Url") or None,
            twiml=form.get("Twiml") or None,
            status_callback=form.get("StatusCallback") or None,
            status_callback_method=(form.get("StatusCallbackMethod") or "POST").upper(),
            status_callback_events=set(events or ()),
        )
        if status == "in-progress":
            c.start_time = t
        c.history.append({"at": rfc2822(t), "status": status, "reason": "created"})
        calls[c.sid] = c
        return c

    def find_participant(conf: Conference, key: str) -> Participant | None:
        key = _strip_json(key)
        if key in conf.participants:
            return conf.participants[key]
        return next((p for p in conf.participants.values() if p.label == key), None)

    def find_recording(sid: str) -> Recording | None:
        r = recordings.get(sid)
        return None if r is None or r.deleted else r

    # ------------------------------------------------------------------ Calls

    @app.post(f"{base}/Calls.json")
    @faultable("calls")
    def create_call(acct: str) -> Response:
        form = request.form.to_dict()
        if not form.get("To"):
            return bad_param("Required parameter 'To' missing.", 21201)
        if not form.get("From"):
            return bad_param("Required parameter 'From' missing.", 21213)
        if not (form.get("Url") or form.get("Twiml") or form.get("ApplicationSid")):
            return bad_param("Either 'Url', 'Twiml' or 'ApplicationSid' is required.", 21205)
        form.pop("Sid", None)
        with lock:
            events = set(" ".join(request.form.getlist("StatusCallbackEvent")).split())
            c = new_call(form, "queued", "outbound-api", events)
            fire_call_callback(c, "queued")
            return created(call_json(c))

    @app.get(f"{base}/Calls.json")
    @faultable("calls")
    def list_calls(acct: str) -> Response:
        with lock:
            items = [
                call_json(c)
                for c in sorted(calls.values(), key=lambda c: c.date_created, reverse=True)
                if (not request.args.get("Status") or c.status == request.args["Status"])
                and (not request.args.get("To") or c.to == request.args["To"])
                and (not request.args.get("From") or c.from_ == request.args["From"])
            ]
        return page("calls", items, "Calls.json")

    @app.get(f"{base}/Calls/<name>")
    @faultable("calls")
    def get_call(acct: str, name: str) -> Response:
        with lock:
            c = calls.get(_strip_json(name))
            return jsonify(call_json(c)) if c else not_found()

    @app.post(f"{base}/Calls/<name>")
    @faultable("calls")
    def update_call(acct: str, name: str) -> Response:
        form = request.form.to_dict()
        with lock:
            c = calls.get(_strip_json(name))
            if c is None:
                return not_found()
            status = form.get("Status")
            if status and status not in ("completed", "canceled"):
                return bad_param("Status must be 'completed' or 'canceled'.", 21218)
            redirect = form.get("Twiml") or form.get("Url")
            if redirect and c.status in FINAL_CALL_STATUSES:
                return bad_param("Call is not in-progress. Cannot redirect.", 21220)
            if form.get("StatusCallback"):
                c.status_callback = form["StatusCallback"]
                c.status_callback_method = (form.get("StatusCallbackMethod") or "POST").upper()
            t = now()
            if redirect:
                c.twiml = form.get("Twiml") or None
                c.url = form.get("Url") or None
                c.history.append({"at": rfc2822(t), "twiml": c.twiml, "url": c.url})
                c.date_updated = t
                if c.conference_sid in conferences:
                    conf = conferences[c.conference_sid]
                    if c.sid in conf.participants:
                        leave_conference(conf, conf.participants[c.sid], kicked=False)
            if status == "canceled" and c.status in ("queued", "ringing"):
                set_call_status(c, "canceled")
            elif status == "completed":
                set_call_status(c, "completed")
            return jsonify(call_json(c))

    @app.delete(f"{base}/Calls/<name>")
    @faultable("calls")
    def delete_call(acct: str, name: str) -> Response:
        with lock:
            if calls.pop(_strip_json(name), None) is None:
                return not_found()
            deletions.append({"type": "call", "sid": _strip_json(name), "at": rfc2822(now())})
            return Response(status=204)

    # ------------------------------------------------------------------ Conferences

    @app.get(f"{base}/Conferences.json")
    @faultable("conferences")
    def list_conferences(acct: str) -> Response:
        with lock:
            items = [
                conference_json(c)
                for c in conferences.values()
                if (not request.args.get("Status") or c.status == request.args["Status"])
                and (
                    not request.args.get("FriendlyName")
                    or c.friendly_name == request.args["FriendlyName"]
                )
            ]
        return page("conferences", items, "Conferences.json")

    @app.get(f"{base}/Conferences/<name>")
    @faultable("conferences")
    def get_conference(acct: str, name: str) -> Response:
        with lock:
            c = conferences.get(_strip_json(name))
            return jsonify(conference_json(c)) if c else not_found()

    @app.post(f"{base}/Conferences/<name>")
    @faultable("conferences")
    def update_conference(acct: str, name: str) -> Response:
        with lock:
            c = conferences.get(_strip_json(name))
            if c is None:
                return not_found()
            if request.form.get("Status") == "completed":
                end_conference(c, "conference-ended-via-api", None)
            return jsonify(conference_json(c))

    @app.post(f"{base}/Conferences/<conf>/Participants.json")
    @faultable("participants")
    def create_participant(acct: str, conf: str) -> Response:
        form = request.form.to_dict()
        if not form.get("To"):
            return bad_param("Required parameter 'To' missing.", 21604)
        if not form.get("From"):
            return bad_param("Required parameter 'From' missing.", 21603)
        coaching = as_bool(form.get("Coaching"))
        if coaching and not form.get("CallSidToCoach"):
            return bad_param("CallSidToCoach is required when Coaching is true.")
        with lock:
            c = get_or_create_conference(conf, create=not conf.startswith("CF"))
            if c is None or c.status == "completed":
                return not_found()
            if form.get("CallSidToCoach") and form["CallSidToCoach"] not in c.participants:
                return bad_param("CallSidToCoach is not a participant of this conference.")
            if form.get("Label") and find_participant(c, form["Label"]) is not None:
                return bad_param("A participant with this label already exists.")
            call_form = {"To": form["To"], "From": form["From"]}
            call = new_call(call_form, "in-progress", "outbound-api")
            p = add_participant(c, call, form, status="connected")
            return created(participant_json(p, status="queued"))

    @app.get(f"{base}/Conferences/<conf>/Participants.json")
    @faultable("participants")
    def list_participants(acct: str, conf: str) -> Response:
        with lock:
            c = conferences.get(conf)
            if c is None:
                return not_found()
            items = [
                participant_json(p)
                for p in c.participants.values()
                if (not request.args.get("Muted") or p.muted == as_bool(request.args["Muted"]))
                and (not request.args.get("Hold") or p.hold == as_bool(request.args["Hold"]))
                and (
                    not request.args.get("Coaching")
                    or p.coaching == as_bool(request.args["Coaching"])
                )
            ]
        return page("participants", items, f"Conferences/{conf}/Participants.json")

    @app.get(f"{base}/Conferences/<conf>/Participants/<name>")
    @faultable("participants")
    def get_participant(acct: str, conf: str, name: str) -> Response:
        with lock:
            c = conferences.get(conf)
            p = find_participant(c, name) if c else None
            return jsonify(participant_json(p)) if p else not_found()

    @app.post(f"{base}/Conferences/<conf>/Participants/<name>")
    @faultable("participants")
    def update_participant(acct: str, conf: str, name: str) -> Response:
        form = request.form.to_dict()
        with lock:
            c = conferences.get(conf)
            p = find_participant(c, name) if c else None
            if p is None:
                return not_found()
            # Validate first: a refused update changes nothing (as at Twilio).
            coaching = as_bool(form["Coaching"]) if "Coaching" in form else p.coaching
            to_coach = (
                form["CallSidToCoach"] or None if "CallSidToCoach" in form else p.call_sid_to_coach
            )
            if coaching and not to_coach:
                return bad_param("CallSidToCoach is required when Coaching is true.")
            if form.get("CallSidToCoach") and form["CallSidToCoach"] not in c.participants:
                return bad_param("CallSidToCoach is not a participant of this conference.")
            if "Muted" in form:
                p.muted = as_bool(form["Muted"])
            if "Hold" in form:
                p.hold = as_bool(form["Hold"])
            p.coaching, p.call_sid_to_coach = coaching, to_coach
            if "EndConferenceOnExit" in form:
                p.end_conference_on_exit = as_bool(form["EndConferenceOnExit"])
            p.updates.append(form)
            p.date_updated = now()
            return jsonify(participant_json(p))

    @app.delete(f"{base}/Conferences/<conf>/Participants/<name>")
    @faultable("participants")
    def delete_participant(acct: str, conf: str, name: str) -> Response:
        with lock:
            c = conferences.get(conf)
            p = find_participant(c, name) if c else None
            if c is None or p is None:
                return not_found()
            leave_conference(c, p, kicked=True)
            return Response(status=204)

    # ------------------------------------------------------------------ Recordings

    def start_recording(call: Call, form: dict[str, str]) -> Recording:
        events = " ".join(request.form.getlist("RecordingStatusCallbackEvent")).split()
        r = Recording(
            sid=new_sid("RE"),
            account_sid=account_sid,
            call_sid=call.sid,
            bytes_per_second=recording_bytes_per_second,
            date_created=now(),
            conference_sid=call.conference_sid,
            channels=int(form.get("RecordingChannels") == "dual") + 1,
            status_callback=form.get("RecordingStatusCallback") or None,
            status_callback_method=(form.get("RecordingStatusCallbackMethod") or "POST").upper(),
            status_callback_events=set(events) if events else {"completed"},
        )
        recordings[r.sid] = r
        return r

    @app.post(f"{base}/Calls/<call_sid>/Recordings.json")
    @faultable("recordings")
    def create_call_recording(acct: str, call_sid: str) -> Response:
        form = request.form.to_dict()
        with lock:
            call = calls.get(call_sid)
            if call is None:
                return not_found()
            if call.status != "in-progress":
                return bad_param("Requested resource is not eligible for recording", 21220)
            r = start_recording(call, form)
            return created(recording_json(r))

    @app.get(f"{base}/Calls/<call_sid>/Recordings.json")
    @faultable("recordings")
    def list_call_recordings(acct: str, call_sid: str) -> Response:
        with lock:
            items = [
                recording_json(r)
                for r in recordings.values()
                if r.call_sid == call_sid and not r.deleted
            ]
        return page("recordings", items, f"Calls/{call_sid}/Recordings.json")

    def resolve_call_recording(call_sid: str, name: str) -> Recording | None:
        sid = _strip_json(name)
        if sid == "Twilio.CURRENT":
            active = [
                r
                for r in recordings.values()
                if r.call_sid == call_sid and r.status in ("in-progress", "paused")
            ]
            return active[-1] if active else None
        r = find_recording(sid)
        return r if r is not None and r.call_sid == call_sid else None

    @app.get(f"{base}/Calls/<call_sid>/Recordings/<name>")
    @faultable("recordings")
    def get_call_recording(acct: str, call_sid: str, name: str) -> Response:
        with lock:
            r = resolve_call_recording(call_sid, name)
            return jsonify(recording_json(r)) if r else not_found()

    @app.post(f"{base}/Calls/<call_sid>/Recordings/<name>")
    @faultable("recordings")
    def update_call_recording(acct: str, call_sid: str, name: str) -> Response:
        form = request.form.to_dict()
        status = form.get("Status")
        if status not in ("paused", "in-progress", "stopped"):
            return bad_param("Status must be one of paused, in-progress, stopped.", 21220)
        behavior = form.get("PauseBehavior") or "silence"
        if behavior not in ("skip", "silence"):
            return bad_param("PauseBehavior must be skip or silence.")
        with lock:
            r = resolve_call_recording(call_sid, name)
            if r is None:
                return not_found()
            if r.status in ("completed", "stopped"):
                return bad_param("Recording is not in-progress or paused.", 21220)
            if status == "paused":
                r.status = "paused"
                r.pause_behavior = behavior
            elif status == "in-progress":
                r.status = "in-progress"
            else:
                complete_recording(r)
            r.date_updated = now()
            body = recording_json(r)
            if status == "stopped":
                body["status"] = "stopped"
            return jsonify(body)

    @app.delete(f"{base}/Calls/<call_sid>/Recordings/<name>")
    @faultable("recordings")
    def delete_call_recording(acct: str, call_sid: str, name: str) -> Response:
        with lock:
            r = resolve_call_recording(call_sid, name)
            if r is None:
                return not_found()
            return delete_recording_now(r)

    def delete_recording_now(r: Recording) -> Response:
        r.deleted = True
        deletions.append(
            {"type": "recording", "sid": r.sid, "call_sid": r.call_sid, "at": rfc2822(now())}
        )
        return Response(status=204)

    @app.get(f"{base}/Recordings.json")
    @faultable("recordings")
    def list_recordings(acct: str) -> Response:
        with lock:
            items = [
                recording_json(r)
                for r in recordings.values()
                if not r.deleted
                and (not request.args.get("CallSid") or r.call_sid == request.args["CallSid"])
                and (
                    not request.args.get("ConferenceSid")
                    or r.conference_sid == request.args["ConferenceSid"]
                )
            ]
        return page("recordings", items, "Recordings.json")

    @app.get(f"{base}/Recordings/<name>")
    @faultable("recordings")
    def get_recording(acct: str, name: str) -> Response:
        sid, _, ext = name.partition(".")
        with lock:
            r = find_recording(sid)
            if r is None:
                return not_found()
            if ext == "json":
                return jsonify(recording_json(r))
            if ext not in ("", "wav", "mp3"):
                return not_found()
            if not r.completed:
                return not_found()
            total = r.media_size
        ctype = "audio/mpeg" if ext == "mp3" else "audio/x-wav"
        rate = media_rate["bytes_per_second"]
        produce = r.produce if not rate else throttled(r.produce, rate)
        return ranged_response(total, produce, ctype)

    @app.delete(f"{base}/Recordings/<name>")
    @faultable("recordings")
    def delete_recording(acct: str, name: str) -> Response:
        with lock:
            r = find_recording(name.partition(".")[0])
            if r is None:
                return not_found()
            return delete_recording_now(r)

    # ------------------------------------------------------------------ Messages

    @app.post(f"{base}/Messages.json")
    @faultable("messages")
    def create_message(acct: str) -> Response:
        form = request.form.to_dict()
        if not form.get("To"):
            return bad_param("A 'To' phone number is required.", 21604)
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return bad_param("A 'From' phone number is required.", 21603)
        if not (form.get("Body") or form.get("MediaUrl") or form.get("ContentSid")):
            return bad_param("Message body is required.", 21602)
        t = now()
        sid = new_sid("SM")
        m = {
            "sid": sid,
            "account_sid": account_sid,
            "api_version": API_VERSION,
            "to": form["To"],
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "body": form.get("Body", ""),
            "status": "accepted" if form.get("MessagingServiceSid") else "queued",
            "direction": "outbound-api",
            "num_segments": "1",
            "num_media": str(len(request.form.getlist("MediaUrl"))),
            "price": None,
            "price_unit": "USD",
            "error_code": None,
            "error_message": None,
            "date_created": rfc2822(t),
            "date_updated": rfc2822(t),
            "date_sent": None,
            "uri": acct_uri(f"Messages/{sid}.json"),
            "subresource_uris": {"media": acct_uri(f"Messages/{sid}/Media.json")},
            "_params": form,
        }
        with lock:
            messages[sid] = m
        return created(message_json(m))

    @app.get(f"{base}/Messages/<name>")
    @faultable("messages")
    def get_message(acct: str, name: str) -> Response:
        with lock:
            m = messages.get(_strip_json(name))
            return jsonify(message_json(m)) if m else not_found()

    # ------------------------------------------------------------------ control

    @app.get("/_control/calls")
    def control_calls() -> Response:
        with lock:
            out = []
            for c in calls.values():
                item = call_json(c)
                item.update(
                    url=c.url,
                    twiml=c.twiml,
                    status_callback=c.status_callback,
                    conference_sid=c.conference_sid,
                    history=c.history,
                )
                out.append(item)
            return jsonify({"calls": out})

    @app.post("/_control/calls")
    def control_upsert_call() -> Response:
        body = request.get_json(silent=True) or {}
        status = body.get("status", "in-progress")
        with lock:
            sid = body.get("sid")
            c = calls.get(sid) if sid else None
            if c is None:
                form = {
                    "Sid": sid or "",
                    "To": body.get("to", "+15005550006"),
                    "From": body.get("from", "+15005550001"),
                    "StatusCallback": body.get("status_callback") or "",
                    "StatusCallbackMethod": body.get("status_callback_method") or "POST",
                    "Url": body.get("url") or "",
                }
                events = set(body.get("status_callback_events", []))
                c = new_call(form, status, body.get("direction", "inbound"), events)
            else:
                if body.get("status_callback"):
                    c.status_callback = body["status_callback"]
                set_call_status(c, status, reason="control")
            conf_name = body.get("conference_sid")
            if conf_name:
                conf = get_or_create_conference(conf_name, create=True)
                if conf is not None and c.sid not in conf.participants:
                    pform = {
                        "Label": body.get("label") or "",
                        "Muted": str(bool(body.get("muted", False))).lower(),
                        "Beep": str(body.get("beep", "true")),
                        "EndConferenceOnExit": str(
                            bool(body.get("end_conference_on_exit", False))
                        ).lower(),
                    }
                    add_participant(conf, c, pform, status="connected")
            item = call_json(c)
            item["conference_sid"] = c.conference_sid
            return created(item)

    @app.get("/_control/conferences")
    def control_conferences() -> Response:
        with lock:
            return jsonify({"conferences": [conference_json(c) for c in conferences.values()]})

    @app.post("/_control/conferences")
    def control_create_conference() -> Response:
        body = request.get_json(silent=True) or {}
        with lock:
            name = body.get("sid") or body.get("friendly_name") or new_sid("CF")
            conf = get_or_create_conference(name, create=True)
            assert conf is not None
            if body.get("friendly_name"):
                conf.friendly_name = body["friendly_name"]
            return created(conference_json(conf))

    @app.get("/_control/conferences/<conf>/participants")
    def control_participants(conf: str) -> Response:
        with lock:
            c = get_or_create_conference(conf, create=False)
            if c is None:
                return json_error(404, {"error": "no such conference"})
            return jsonify({"participants": [participant_record(p) for p in c.history]})

    @app.get("/_control/deletions")
    def control_deletions() -> Response:
        with lock:
            return jsonify({"deletions": list(deletions)})

    @app.get("/_control/messages")
    def control_messages() -> Response:
        with lock:
            out = [{**message_json(m), "params": m["_params"]} for m in messages.values()]
            return jsonify({"messages": out})

    def control_recording_json(r: Recording) -> dict[str, Any]:
        item = recording_json(r)
        item.update(
            bytes_per_second=r.bytes_per_second,
            media_size=r.media_size,
            clock_seconds=r.clock_seconds,
            runs=r.runs,
            deleted=r.deleted,
            pause_behavior=r.pause_behavior,
        )
        return item

    @app.post("/_control/recordings")
    def control_register_recording() -> Response:
        body = request.get_json(silent=True) or {}
        call_sid = body.get("call_sid")
        seconds = body.get("seconds", 0)
        bps = body.get("bytes_per_second", recording_bytes_per_second)
        if not call_sid or not isinstance(seconds, int) or not isinstance(bps, int) or bps < 1:
            return json_error(400, {"error": "need call_sid, integer seconds, bytes_per_second"})
        with lock:
            r = Recording(
                sid=body.get("sid") or new_sid("RE"),
                account_sid=account_sid,
                call_sid=call_sid,
                bytes_per_second=bps,
                date_created=now(),
                conference_sid=body.get("conference_sid"),
                source=body.get("source", "StartCallRecordingAPI"),
                status_callback=body.get("status_callback"),
            )
            spans = sorted(body.get("paused_spans", []), key=lambda s: s["start"])
            k = 0
            for span in spans:
                r.add("active", span["start"] - k)
                r.add(span.get("behavior", "skip"), span["end"] - span["start"])
                k = span["end"]
            r.add("active", seconds - k)
            recordings[r.sid] = r
            if body.get("status", "completed") == "completed":
                complete_recording(r)
            return created(control_recording_json(r))

    @app.post("/_control/media_rate")
    def control_media_rate() -> Response:
        body = request.get_json(silent=True) or {}
        rate = body.get("bytes_per_second")
        if rate is not None and (not isinstance(rate, int | float) or rate <= 0):
            return json_error(400, {"error": "bytes_per_second: a positive number, or null"})
        media_rate["bytes_per_second"] = rate
        return jsonify({"bytes_per_second": rate})

    @app.get("/_control/recordings")
    def control_recordings() -> Response:
        with lock:
            return jsonify({"recordings": [control_recording_json(r) for r in recordings.values()]})

    @app.post("/_control/recordings/<sid>/advance")
    def control_advance(sid: str) -> Response:
        body = request.get_json(silent=True) or {}
        n = body.get("seconds")
        if not isinstance(n, int) or n < 0:
            return json_error(400, {"error": "seconds must be a non-negative integer"})
        with lock:
            r = recordings.get(sid)
            if r is None:
                return json_error(404, {"error": "no such recording"})
            if r.status == "in-progress":
                r.add("active", n)
            elif r.status == "paused":
                r.add(r.pause_behavior, n)
            else:
                return json_error(409, {"error": f"recording is {r.status}"})
            return jsonify(control_recording_json(r))

    @app.post("/_control/recordings/<sid>/complete")
    def control_complete(sid: str) -> Response:
        with lock:
            r = recordings.get(sid)
            if r is None:
                return json_error(404, {"error": "no such recording"})
            complete_recording(r)
            return jsonify(control_recording_json(r))

    @app.post("/_control/send_webhook")
    def control_send_webhook() -> Response:
        body = request.get_json(silent=True) or {}
        url = body.get("url")
        params = body.get("params") or {}
        if not url or not isinstance(params, dict):
            return json_error(400, {"error": "need url and params object"})
        params = {str(k): str(v) for k, v in params.items()}
        entry = dispatcher.deliver(url, params, body.get("method", "POST"), body.get("send_to"))
        entry["kind"] = "webhook"
        with dispatcher._lock:
            dispatcher.log.append(entry)
        return jsonify(entry)

    @app.get("/_control/callbacks")
    def control_callbacks() -> Response:
        wait = float(request.args.get("wait", 0) or 0)
        idle = dispatcher.wait_idle(wait) if wait > 0 else True
        with dispatcher._lock:
            return jsonify({"callbacks": list(dispatcher.log), "idle": idle})

    return app


def serve(port: int = 0, host: str = "127.0.0.1", **config: Any) -> ServerHandle:
    """Start the Twilio stand-in in a background thread (port 0 = any free port)."""
    return serve_app(create_app(**config), port=port, host=host)


def _add_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--account-sid", default=None, help="default: $TWILIO_ACCOUNT_SID")
    parser.add_argument("--auth-token", default=None, help="default: $TWILIO_AUTH_TOKEN")
    parser.add_argument("--sync-callbacks", action="store_true")


def _config(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "account_sid": args.account_sid,
        "auth_token": args.auth_token,
        "sync_callbacks": args.sync_callbacks,
    }


def main(argv: list[str] | None = None) -> None:
    """`python -m emulators.standins.twilio_server --port N`."""
    run_main("twilio_server", create_app, DEFAULT_PORT, argv, _add_args, _config)


if __name__ == "__main__":
    main()


__all__ = [
    "DEFAULT_ACCOUNT_SID",
    "DEFAULT_AUTH_TOKEN",
    "Recording",
    "create_app",
    "expected_media",
    "second_bytes",
    "second_marker",
    "serve",
    "standin_of",
]
