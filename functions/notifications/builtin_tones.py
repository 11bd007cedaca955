"""The built-in tone set, synthesized (no binary assets in the repo) and stored once in
the media bucket as WAV, which the carrier's <Play> and every browser play."""

from __future__ import annotations

import io
import math
import struct
import wave
from dataclasses import dataclass
from functools import cache

from core import clients
from core.config.schema.notifications import BUILTIN_TONES
from core.settings import settings

RATE = 8000  # telephone quality is plenty for a ring; keeps each file a few KB
VERSION = "v1"  # bump to re-synthesize after changing a recipe

# A segment: (seconds, frequencies summed, decay per second; 0 = flat). Empty = silence.
Segment = tuple[float, tuple[float, ...], float]
RECIPES: dict[str, list[Segment]] = {
    "classic-ring": [(0.8, (440.0, 480.0), 0), (0.2, (), 0), (0.8, (440.0, 480.0), 0)],
    "chime": [(0.35, (880.0,), 4), (0.5, (660.0,), 3)],
    "pop": [(0.08, (1000.0,), 30)],
    "digital": [(0.1, (1400.0,), 0), (0.05, (), 0)] * 4,
    "soft-bell": [(1.2, (523.25, 1046.5), 2.5)],
    "double-beep": [(0.15, (950.0,), 0), (0.1, (), 0), (0.15, (950.0,), 0)],
}
assert set(RECIPES) == set(BUILTIN_TONES)


@dataclass(frozen=True)
class BuiltinTone:
    name: str
    object: str
    content_type: str
    duration_seconds: float


def synthesize(name: str) -> bytes:
    frames = bytearray()
    for seconds, freqs, decay in RECIPES[name]:
        n = int(seconds * RATE)
        for i in range(n):
            t = i / RATE
            v = sum(math.sin(2 * math.pi * f * t) for f in freqs) / max(1, len(freqs))
            env = math.exp(-decay * t) if decay else 1.0
            fade = min(1.0, i / 40, (n - i) / 40)  # no clicks at segment edges
            frames += struct.pack("<h", int(v * env * fade * 0.6 * 32767))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    return buf.getvalue()


def duration_of(name: str) -> float:
    return round(sum(int(s * RATE) for s, _, _ in RECIPES[name]) / RATE, 3)


def _ensure_uploaded(name: str, obj: str) -> None:
    blob = clients.storage_client().bucket(settings().media_bucket).blob(obj)
    if not blob.exists():
        blob.upload_from_string(synthesize(name), content_type="audio/wav")


_ensured: set[str] = set()


def get(name: str) -> BuiltinTone:
    """The stored built-in tone (uploaded on first use per instance)."""
    if name not in RECIPES:
        raise KeyError(name)
    obj = f"notifications/builtin/{name}-{VERSION}.wav"
    key = f"{settings().media_bucket}/{obj}"
    if key not in _ensured:
        _ensure_uploaded(name, obj)
        _ensured.add(key)
    return BuiltinTone(name, obj, "audio/wav", duration_of(name))


@cache
def catalog() -> list[dict[str, object]]:
    return [
        {
            "id": n,
            "source": "builtin",
            "name": n.replace("-", " ").title(),
            "duration_seconds": duration_of(n),
            "content_type": "audio/wav",
        }
        for n in BUILTIN_TONES
    ]
