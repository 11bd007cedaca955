"""Generated recording media: deterministic bytes per second, so tests can tell exactly
which seconds reached the CRM; and the Recording model whose clock produces them."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emulators.standins.common import CHUNK

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
