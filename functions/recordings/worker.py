"""The delivery worker: one run per Cloud Task, driving a recording through
ingest (carrier -> bucket) -> ticket -> parts -> commit -> confirmed -> deleted.

Exactly once as the CRM sees it:
- one worker at a time holds the recording's lease (state.claim); every state write
  checks it is still ours, and a heartbeat renews it every third of its length for as
  long as the run lasts (a CRM call may take as long as the read timeout, which is as long
  as the lease), so no second worker takes over a live run;
- an action whose answer was lost is looked for in the CRM (the commit's / part's marker,
  the ticket's external id) before it is repeated;
- a part is marked sent only after the CRM answered; our object is deleted only after the
  CRM confirmed every part. The carrier's copy is deleted as soon as ours is complete and
  verified (size, and its bytes against the hashes of what was streamed in: the bucket's
  CRC32C when one run streamed it all, a read-back when the ingest spanned runs), before
  delivery.

Retries are ours: on a transient failure the run gives the lease back, bumps the
generation and creates the next task at now + backoff (Retry-After as a floor), then
answers 2xx. The only reasons to delay are: no confirmation, CRM API limit, file too large.

Any size on any link: a run starts no new ingest chunk or CRM part once it has used its
budget (RECORDINGS_RUN_BUDGET_SECONDS, well inside the task's deadline); it saves where it
is and hands on to a new task at once, which resumes there (the upload session and the
bytes the bucket has; the parts the CRM has).
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from core import logs
from core.crm import session_ticket
from core.crm.choice import crm_for, recording_sink
from core.crm.errors import Permanent, RateLimited, TooLarge, Transient
from core.crm.recording_sink import Delivery, Part, RecordingSink
from core.settings import settings
from recordings import backoff, carrier_media, state, storage_io, tasks
from recordings.alerts import alert
from recordings.config import rec_settings

log = logs.get("recordings.worker")
# A commit refused for stale tokens is retried at once after re-uploading, this often.
COMMIT_ROUNDS = 3


def link_rate(sent: int, took: float, noted: float | None, floor: float) -> float:
    """Bytes per second to size the next ingest chunk by: what this run has seen, else
    what an earlier run of the recording saw, else the slowest link the settings are
    sized for (RECORDINGS_INGEST_FLOOR_BYTES_PER_SECOND)."""
    if sent > 0 and took > 0:
        return sent / took
    return float(noted) if noted and noted > 0 else floor


def chunk_size(unit: int, left: int, rate: float, budget_left: float) -> int:
    """The next ingest chunk: a whole number of `unit`s, as many as half the run's
    remaining budget carries at `rate` (at least one), at most what is left. The first
    chunk needs no probe: at the floor rate half a run carries gigabytes, so a recording
    goes in one chunk. Few chunks spare round trips and the storage emulator, which
    rewrites its whole partial file per chunk (3.5-4.5 s for a 1 GiB recording sent as
    16 MiB + the rest); the half leaves the margin should the link slow down. A chunk
    that dies midway loses nothing: the next run asks the session what the bucket
    persisted."""
    fits = int(rate * max(0.0, budget_left) / 2)
    return min(left, unit * max(1, fits // unit))


class HandOn(Exception):  # noqa: N818 - not an error: the run's budget is used up
    """The run used its budget: save, and let a new task carry on from here."""


def plan_parts(size: int, part_size: int) -> list[dict[str, Any]]:
    count = math.ceil(size / part_size) if size else 0
    return [
        {
            "index": i + 1,
            "offset": i * part_size,
            "size": min(part_size, size - i * part_size),
            "state": "pending",
            "receipt": None,
        }
        for i in range(count)
    ]


def delivery_of(doc: dict[str, Any]) -> Delivery:
    sid, parts = doc["sid"], doc.get("parts") or []
    n = len(parts)
    content_type = doc.get("content_type") or "audio/x-wav"
    ext = "mp3" if "mpeg" in content_type else "wav"
    plist = tuple(
        Part(
            index=p["index"],
            count=n,
            offset=p["offset"],
            size=p["size"],
            file_name=f"recording {sid} part {p['index']} of {n}.{ext}",
            marker=f"cc-recording:{sid}:part:{p['index']}/{n}",
        )
        for p in parts
    )
    size = int(doc.get("size") or 0)
    summary = (
        f"Call recording {sid} of call {doc.get('call_sid')}: {size} bytes"
        + (f" in {n} part{'s' if n != 1 else ''}" if n else " (empty: nothing to attach)")
        + "."
    )
    return Delivery(
        recording_sid=sid,
        call_sid=doc.get("call_sid") or "",
        session_id=doc.get("session_id") or "",
        target=str(doc.get("target") or ""),
        size=size,
        marker=f"cc-recording:{sid}",
        content_type=content_type,
        parts=plist,
        summary=summary,
    )


class Run:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.rs = rec_settings()
        self.doc = doc
        self.sid: str = doc["sid"]
        self.lease: str = doc["lease"]["id"]
        self.sink: RecordingSink = recording_sink(
            doc.get("crm") or crm_for("recordings"), self.rs.http_timeout_seconds
        )
        self._stop = threading.Event()
        self._heart: threading.Thread | None = None
        # One state write at a time from this run: the heartbeat and the run's own writes
        # would otherwise fail each other's preconditions.
        self._lock = threading.Lock()
        # The document as this run last wrote it, with its update time: the next write is
        # one conditional update (state.write_fenced), unless someone else wrote since.
        self._known: state.Known | None = None
        self._renewed = time.monotonic()
        self._started = time.monotonic()

    def check_budget(self, what: str) -> None:
        """Before starting `what` (a chunk, a part): hand on if the budget is used up."""
        if time.monotonic() - self._started > self.rs.run_budget_seconds:
            raise HandOn(what)

    # -- the lease --------------------------------------------------------------------
    def __enter__(self) -> Run:
        self._heart = threading.Thread(target=self._beat, name=f"lease-{self.sid}", daemon=True)
        self._heart.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._heart is not None:
            self._heart.join(timeout=10)

    def _beat(self) -> None:
        """Renew the lease while the run lives; stop renewing after max_run_seconds so a
        hung run cannot hold a recording forever, and at once if the lease was lost."""
        every = self.rs.lease_seconds / 3
        until = time.monotonic() + self.rs.max_run_seconds
        while not self._stop.wait(every / 2) and time.monotonic() < until:
            with self._lock:
                if self._stop.is_set() or time.monotonic() - self._renewed < every:
                    continue  # the run's own writes renewed it lately
                try:
                    self._fenced(lambda cur: {})
                except state.LeaseLost:
                    return  # the run's own next write says so
                except Exception as exc:  # a missed beat is retried at the next one
                    log.warning("recording %s: lease renewal failed (%s)", self.sid, exc)

    # -- state helpers --------------------------------------------------------------
    def write(self, **changes: Any) -> None:
        with self._lock:
            self._fenced(lambda cur: changes)

    def _fenced(self, changes: Any) -> None:
        """One lease-fenced write that extends the lease (the caller holds the lock)."""
        self._known = state.write_fenced(
            self.sid, self.lease, changes, self.rs.lease_seconds, known=self._known
        )
        self.doc = self._known[0]
        self._renewed = time.monotonic()

    def release(self, changes: dict[str, Any]) -> None:
        """Give the lease back with final changes; the heartbeat renews nothing after."""
        with self._lock:
            self._stop.set()
            self.doc = state.release(self.sid, self.lease, changes, known=self._known)
            self._known = None

    # -- the stages ---------------------------------------------------------------------
    def drive(self) -> dict[str, Any]:
        ingested = self.doc["status"] == "pending"
        if ingested:
            self.ingest()
        if self.doc["status"] in ("stored", "confirmed"):
            self.delete_carrier_copy()
        if ingested:
            self.check_budget("delivery")
        if self.doc["status"] == "stored":
            self.ensure_target()
            self.deliver()
        if self.doc["status"] == "confirmed":
            self.clean_up()
        return {"outcome": self.doc["status"]}

    def ingest(self) -> None:
        """Carrier -> bucket through one resumable upload session kept on the document,
        saving the bytes persisted after each chunk; a later run resumes from there with a
        Range request to the carrier. Then the copy is verified (see verify_copy) before
        the recording counts as stored and the carrier's copy may go."""
        timeout = self.rs.http_timeout_seconds
        ing = dict(self.doc.get("ingest") or {})
        offset, obj = 0, None
        if ing.get("session"):
            try:
                offset, obj = storage_io.upload_status(ing["session"], ing["size"], timeout)
            except storage_io.SessionGone:
                log.info("recording %s: upload session expired, ingesting again", self.sid)
                ing = {}
        # Each run's stretch of the carrier's stream, with the CRC32C of the bytes it read:
        # [{start, end, crc32c}], contiguous from 0. The bucket never has less than the last
        # end (a stretch grows only after the bucket confirmed its chunk).
        stretches: list[dict[str, Any]] = list(ing.get("streamed") or [])
        hashed = stretches[-1]["end"] if stretches else 0
        if ing and offset < hashed:
            log.warning("recording %s: the bucket lost bytes it had; ingesting again", self.sid)
            ing, offset, obj, stretches, hashed = {}, 0, None, [], 0
        stream: storage_io.Hashing | None = None
        if not ing or hashed < int(ing["size"]):
            with carrier_media.open_media(self.sid, timeout, start=hashed) as (raw, size, ctype):
                if not ing:
                    meta = {"recording_sid": self.sid, "call_sid": self.doc.get("call_sid") or ""}
                    session = storage_io.start_session(self.sid, size, ctype, meta, timeout)
                    ing = {"session": session, "size": size, "content_type": ctype, "offset": 0}
                    self.write(ingest=ing | {"streamed": []})
                elif size != ing["size"]:
                    raise carrier_media.CarrierError(f"media size {size}, was {ing['size']}")
                stream = storage_io.Hashing(raw)
                mine = {"start": hashed, "end": hashed, "crc32c": stream.crc32c_hex()}
                stretches.append(mine)
                if offset > hashed:
                    # The bucket took these bytes in a run that died before it noted their
                    # hash: read them again from the carrier (hashed, not re-sent).
                    stream.skip(offset - hashed)
                    mine |= {"end": offset, "crc32c": stream.crc32c_hex()}
                    self.write(ingest=ing | {"offset": offset, "streamed": stretches})
                began, first = time.monotonic(), offset
                floor = float(self.rs.ingest_floor_bytes_per_second)
                while obj is None:
                    if offset:
                        self.check_budget(f"ingest at byte {offset} of {size}")
                    sent, took = offset - first, time.monotonic() - began
                    rate = link_rate(sent, took, ing.get("bytes_per_second"), floor)
                    n = chunk_size(
                        self.rs.ingest_chunk_bytes,
                        size - offset,
                        rate,
                        self.rs.run_budget_seconds - (time.monotonic() - self._started),
                    )
                    try:
                        upto, obj = storage_io.upload_chunk(
                            ing["session"], stream, offset, n, size, ctype, timeout
                        )
                    except storage_io.OffsetRefused:
                        # The session and our notes disagree on what it holds: the next
                        # run ingests again with a new session instead of retrying this.
                        self.write(ingest={})
                        raise
                    if obj is None and upto != offset + n:
                        # The bucket kept less than was sent: the stream is past it, so
                        # the next run resumes from what the bucket has.
                        self.write(ingest=ing | {"offset": upto, "streamed": stretches})
                        raise storage_io.StorageError(f"bucket kept {upto} of {offset + n}")
                    offset = upto
                    mine |= {"end": offset, "crc32c": stream.crc32c_hex()}
                    ing["offset"] = offset
                    # The rate this run saw, for the first chunk of a run that resumes.
                    took = max(time.monotonic() - began, 1e-3)
                    ing["bytes_per_second"] = int((offset - first) / took)
                    if obj is None:
                        self.write(ingest=ing | {"streamed": stretches})
        size, ctype = int(ing["size"]), str(ing["content_type"])
        try:
            checked = self.verify_copy(size, stretches, stream)
        except storage_io.Corrupt:
            # Our copy is not what the carrier sent: start over (a new session replaces
            # the object); the carrier's copy is still there, as it is until verified.
            self.write(ingest={})
            raise
        self.write(
            status="stored",
            size=size,
            sha256=checked["sha256"],
            content_type=ctype,
            object={
                "bucket": settings().recordings_bucket,
                "name": storage_io.object_name(self.sid),
                "generation": checked.get("generation") or (obj or {}).get("generation"),
                "crc32c": checked["crc32c"],
                "verified_by": checked["verified_by"],
            },
            part_size=self.rs.part_size,
            parts=plan_parts(size, self.rs.part_size),
            stored_at=time.time(),
            verified_at=time.time(),
            # The session URL authorizes uploads by itself: not kept past its use.
            ingest={"size": size, "content_type": ctype, "offset": size, "done": True},
        )
        log.info("recording %s stored: %d bytes, %d parts", self.sid, size, len(self.doc["parts"]))

    def verify_copy(
        self, size: int, stretches: list[dict[str, Any]], stream: storage_io.Hashing | None
    ) -> dict[str, Any]:
        """Our copy must be complete (the size the carrier announced) and byte-identical to
        what the carrier streamed, before the carrier's copy may go.

        One run streamed it all: the bucket's own CRC32C against ours of the stream (no read).
        Several runs did: no one hash saw every byte (a hash's state cannot be saved), so
        the object is read back once, each run's stretch checked against the CRC32C that run
        noted, and the SHA-256 taken from what the bucket holds."""
        ends = [0] + [s["end"] for s in stretches]
        if not stretches or ends[-1] != size or [s["start"] for s in stretches] != ends[:-1]:
            raise storage_io.Corrupt(f"streamed stretches do not cover 0-{size}: {ends}")
        timeout = self.rs.http_timeout_seconds
        if stream is not None and len(stretches) == 1 and stream.size == size:
            crc = storage_io.crc32c_b64(stream.crc32c)
            checked = storage_io.verify(self.sid, size, crc, timeout)
            return checked | {"sha256": stream.sha256.hexdigest(), "verified_by": "streamed"}
        checked = storage_io.read_back(self.sid, size, stretches, timeout)
        return checked | {"verified_by": "read_back"}

    def delete_carrier_copy(self) -> None:
        """Our copy is complete and verified: the carrier's goes now, not after the CRM
        confirms (source rule: once submitted, the carrier cannot access the recording at
        any time during the retention period). A failure here never holds up delivery;
        every later run, clean_up and the sweeper try again."""
        if (self.doc.get("deleted") or {}).get("carrier"):
            return
        try:
            carrier_media.delete(self.sid, self.rs.http_timeout_seconds)
        except carrier_media.CarrierError as exc:
            log.warning("recording %s: carrier copy not deleted yet (%s)", self.sid, exc)
            return
        self.write(deleted=dict(self.doc.get("deleted") or {}) | {"carrier": time.time()})

    def ensure_target(self) -> None:
        if self.doc.get("target"):
            return
        from core.sessions import store as sessions

        session_id = self.doc.get("session_id") or self.doc.get("call_sid") or self.sid

        def known() -> str | None:
            return ((sessions.get(session_id) or {}).get("crm") or {}).get("ticket_id")

        def make() -> str:
            # Also covers a ticket we created before losing the answer: it carries the
            # session id as its external key.
            found = self.sink.find_target(session_id)
            if found:
                return found
            self.write(target_state="creating")
            made = self.sink.create_target(
                session_id,
                f"Call {self.doc.get('call_sid')}",
                f"Ticket created for the recording of call {self.doc.get('call_sid')}.",
            )
            if sessions.get(session_id) is not None:
                self._link_session(session_id, str(made))
            return made

        # The recording's own lease makes this run the only one working on it, so a run
        # after a crash takes over the claim its predecessor left.
        target = session_ticket.once(session_id, make, known, owner=f"recording:{self.sid}")
        self.write(target=str(target), target_state="set")

    def _link_session(self, session_id: str, target: str) -> None:
        from core.sessions import store as sessions

        def changes(cur: dict[str, Any]) -> dict[str, Any]:
            crm = dict(cur.get("crm") or {})
            if crm.get("ticket_id"):
                return {}
            return {"crm": crm | {"ticket_id": target}}

        try:
            sessions.update(
                session_id,
                changes,
                "crm.ticket_linked",
                {"ticket_id": target, "by": "recordings"},
                f"{session_id}:crm-ticket:{target}",
            )
        except Exception:  # the ticket is ours either way; the link is a convenience
            log.warning("could not link ticket %s to session %s", target, session_id)

    def deliver(self) -> None:
        for _ in range(COMMIT_ROUNDS):
            self.send_parts()
            if self.commit():
                return
        raise Transient("the CRM kept refusing fresh upload tokens")

    def send_parts(self) -> None:
        d = delivery_of(self.doc)
        reader: storage_io.RangeReader | None = None
        try:
            for part in d.parts:
                p = self.doc["parts"][part.index - 1]
                now = time.time()
                if p["state"] == "sent" and (
                    not self.sink.stages_parts or self.sink.receipt_usable(p["receipt"] or {}, now)
                ):
                    continue
                if p["state"] == "sending" and not self.sink.stages_parts:
                    found = self.sink.find_part(d, part)
                    if found is not None:  # sent before, answer lost
                        self.write(
                            parts=state.set_part(
                                self.doc["parts"],
                                part.index,
                                state="sent",
                                receipt=found,
                                sent_at=now,
                                recovered=True,
                            )
                        )
                        continue
                self.check_budget(f"part {part.index} of {part.count}")
                if reader is None or reader.pos != part.offset:
                    if reader is not None:
                        reader.close()
                    reader = storage_io.RangeReader(
                        self.sid, part.offset, d.size, self.rs.http_timeout_seconds
                    )
                if not self.sink.stages_parts:
                    # A part the CRM applies at once may have landed though its answer
                    # was lost: the next run looks for it (find_part). A staged part (an
                    # upload token) is simply sent again, so it needs no mark, and a
                    # recording's 22 parts per GiB save 22 state writes.
                    self.write(
                        parts=state.set_part(
                            self.doc["parts"], part.index, state="sending", receipt=None
                        )
                    )
                body = storage_io.Limited(reader, part.size)
                try:
                    receipt = self.sink.send_part(d, part, body)
                except BaseException:
                    reader.close()
                    reader = None
                    raise
                if body.sent != part.size:  # the CRM answered before reading it all
                    reader.close()
                    reader = None
                    raise Transient(f"part {part.index}: sent {body.sent} of {part.size}")
                self.write(
                    parts=state.set_part(
                        self.doc["parts"],
                        part.index,
                        state="sent",
                        receipt=receipt,
                        sent_at=time.time(),
                    )
                )
        finally:
            if reader is not None:
                reader.close()

    def commit(self) -> bool:
        """True once the CRM confirmed; False if the parts must be sent again."""
        d = delivery_of(self.doc)
        commit = self.doc.get("commit") or {}
        if commit.get("state") == "sending":
            found = self.sink.find_commit(d)
            if found is not None:
                self.confirm(found | {"recovered": True})
                return True
        receipts = [p["receipt"] for p in self.doc["parts"]]
        self.write(commit={"state": "sending", "at": time.time()})
        try:
            result = self.sink.commit(d, receipts)
        except TooLarge:
            raise
        except Permanent as exc:
            if exc.status != 422 or not self.sink.stages_parts:
                raise
            # Zendesk refuses expired / unknown / used tokens: already applied? else upload
            # the parts again (a used token means a comment exists and is found here).
            found = self.sink.find_commit(d)
            if found is not None:
                self.confirm(found | {"recovered": True})
                return True
            log.info("recording %s: tokens refused (%s), uploading again", self.sid, exc)
            self.write(
                commit={"state": "refused", "at": time.time()},
                parts=[p | {"state": "pending", "receipt": None} for p in self.doc["parts"]],
            )
            return False
        self.confirm(result)
        return True

    def confirm(self, result: dict[str, Any]) -> None:
        self.write(
            status="confirmed", confirmed_at=time.time(), commit={"state": "done", "result": result}
        )
        log.info("recording %s confirmed by the CRM", self.sid)

    def clean_up(self) -> None:
        deleted = dict(self.doc.get("deleted") or {})
        if not deleted.get("object"):
            storage_io.delete(self.sid)
            deleted["object"] = time.time()
            self.write(deleted=deleted)
        if not deleted.get("carrier"):
            carrier_media.delete(self.sid, self.rs.http_timeout_seconds)
            deleted["carrier"] = time.time()
            self.write(deleted=deleted)
        self.release({"status": "done", "done_at": time.time(), "delay_reason": None})
        log.info("recording %s delivered and deleted", self.sid)

    # -- outcomes -----------------------------------------------------------------------
    def reschedule(self, reason: str, error: str, retry_after: float | None = None) -> dict:
        attempts = int(self.doc.get("attempts", 0))
        wait = backoff.delay(attempts, retry_after, self.rs.backoff_scale)
        gen = int(self.doc.get("gen", 0)) + 1
        at = time.time() + wait
        # The next task exists before the lease is given back: a crash between the two
        # leaves a task that waits out the lease and carries on (never a recording
        # without a task).
        tasks.enqueue(self.sid, gen, at=at)
        self.release(
            {
                "gen": gen,
                "attempts": attempts + 1,
                "next_at": at,
                "delay_reason": reason,
                "last_error": error[:500],
                "retry_after": retry_after,
            },
        )
        logs.event(
            log,
            f"recording {self.sid}: retry in {wait:.1f}s ({reason}: {error})",
            recording_sid=self.sid,
            reason=reason,
            wait_seconds=wait,
            gen=gen,
        )
        return {"outcome": "rescheduled", "reason": reason, "wait_seconds": wait, "gen": gen}

    def hand_on(self, where: str) -> dict:
        """The budget is used up, not a failure: the next task runs now, no backoff, no
        attempt counted; it resumes from what is saved."""
        gen = int(self.doc.get("gen", 0)) + 1
        tasks.enqueue(self.sid, gen)  # before the lease is given back (see reschedule)
        self.release({"gen": gen, "next_at": time.time()})
        logs.event(
            log,
            f"recording {self.sid}: run budget used, carrying on in a new task ({where})",
            recording_sid=self.sid,
            gen=gen,
        )
        return {"outcome": "handed_on", "at": where, "gen": gen}

    def shrink_or_reschedule(self, error: str) -> dict:
        """The CRM refused a part's size: cut smaller parts if none is visible yet."""
        visible = (
            any(p["state"] != "pending" for p in self.doc.get("parts") or [])
            and not self.sink.stages_parts
        )
        size = int(self.doc.get("size") or 0)
        smaller = max(1, int(self.doc.get("part_size") or self.rs.part_size) // 2)
        if not visible and self.doc["status"] == "stored":
            self.write(part_size=smaller, parts=plan_parts(size, smaller), commit={"state": "none"})
        return self.reschedule("file_too_large", error)

    def fail(self, error: str) -> dict:
        self.release(
            {"status": "failed", "last_error": error[:500], "failed_at": time.time()},
        )
        alert("recording.delivery_failed", self.sid, error)
        return {"outcome": "failed", "error": error}


def run(sid: str, gen: int) -> dict[str, Any]:
    """One task delivery. Never raises for delivery problems: they are rescheduled.

    Only when Firestore itself cannot be written (e.g. a lock still held by a transaction
    of a worker that died) is the answer "contended": the HTTP layer then answers 503 so
    the queue delivers the task again (its retry_config is the backstop for exactly this).
    """
    from google.api_core import exceptions as gexc

    try:
        return _run(sid, gen)
    except (
        state.Contended,
        gexc.Aborted,
        gexc.DeadlineExceeded,
        gexc.ServiceUnavailable,
        gexc.InternalServerError,
    ) as exc:
        log.warning(
            "recording %s: state store unavailable (%s); task to be redelivered",
            sid,
            exc.__class__.__name__,
        )
        return {"outcome": "contended", "redeliver": True}


def _run(sid: str, gen: int) -> dict[str, Any]:
    rs = rec_settings()
    try:
        how, doc = state.claim(sid, gen, rs.lease_seconds)
    except state.Stale as exc:
        log.info("recording %s task g%d ignored: %s", sid, gen, exc)
        return {"outcome": "stale"}
    if how == "held":
        # Another run owns it (a duplicate delivery, or a worker that may have died):
        # look again when its lease ends; the name dedupes repeated duplicates.
        lease = doc.get("lease") or {}
        until = float(lease.get("until", time.time()))
        tasks.enqueue(
            sid,
            max(gen, int(doc.get("gen", gen))),
            at=until + 0.5,
            suffix=f"-w{lease.get('no', 0)}-{int(until * 1000)}",
        )
        return {"outcome": "busy", "retry_at": until}
    r = Run(doc)
    try:
        try:
            with r:
                return r.drive()
        except HandOn as exc:
            return r.hand_on(str(exc))
        except RateLimited as exc:
            return r.reschedule("crm_api_limit", str(exc), exc.retry_after)
        except TooLarge as exc:
            return r.shrink_or_reschedule(str(exc))
        except Permanent as exc:
            return r.fail(str(exc))
        except carrier_media.CarrierGone:
            return r.fail("the carrier has no such recording")
        except (state.LeaseLost, state.Contended):
            raise
        except (Transient, carrier_media.CarrierError, storage_io.StorageError, OSError) as exc:
            return r.reschedule("no_confirmation", f"{exc.__class__.__name__}: {exc}")
        except Exception as exc:  # a bug must not lose the recording: retry, loudly
            if isinstance(exc.__context__, (state.LeaseLost, state.Contended)):
                raise exc.__context__ from None
            log.exception("recording %s: unexpected error", sid)
            return r.reschedule("no_confirmation", f"{exc.__class__.__name__}: {exc}")
    except state.LeaseLost:
        # Ours ran out and another run took over (raised here directly, or from inside
        # a streamed body): touch nothing more.
        log.warning("recording %s: lease lost, stopping this run", sid)
        return {"outcome": "lease_lost"}
