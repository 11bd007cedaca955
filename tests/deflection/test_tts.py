"""core.tts against the Cloud Storage emulator with the local engine (espeak-ng)."""

from __future__ import annotations

import threading
import wave
from io import BytesIO

import pytest
import requests

from emulators.suite import Suite


@pytest.fixture
def tts(suite: Suite):  # noqa: ANN201 - the module under test
    from core import tts

    tts.forget_memory()
    for k in tts.stats:
        tts.stats[k] = 0
    return tts


def test_render_is_cached_in_the_bucket_and_in_memory(tts) -> None:  # noqa: ANN001
    text = "Please leave a message after the tone. Cache check one."
    a = tts.render(text, "en-US", "en-US-Standard-C")
    assert tts.stats == {"memory_hits": 0, "bucket_hits": 0, "synthesized": 1}
    assert a.object_name.startswith("tts/") and a.object_name.endswith(".wav")
    assert a.content_type == "audio/wav"
    data = a.read_bytes()
    with wave.open(BytesIO(data)) as w:
        assert abs(w.getnframes() / w.getframerate() - a.duration_seconds) < 0.01
    assert 1.0 < a.duration_seconds < 10.0
    # Same instance: memory. Another instance (memory dropped): the bucket, not the engine.
    assert tts.render(text, "en-US", "en-US-Standard-C") == a
    tts.forget_memory()
    b = tts.render(text, "en-US", "en-US-Standard-C")
    assert b == a
    assert tts.stats == {"memory_hits": 1, "bucket_hits": 1, "synthesized": 1}
    # The URL the carrier fetches serves the same bytes.
    assert requests.get(a.url(), timeout=10).content == data


def test_every_input_of_the_key_changes_the_object(tts) -> None:  # noqa: ANN001
    base = tts.render("We are closed right now.", "en-US")
    others = [
        tts.render("We are closed right now!", "en-US"),
        tts.render("We are closed right now.", "es-US"),
        tts.render("We are closed right now.", "en-US", "en-US-Standard-B"),
        tts.render("We are closed right now.", "en-US", speed=1.5),
    ]
    assert len({base.object_name, *(o.object_name for o in others)}) == 5


def test_speed_changes_the_duration(tts) -> None:  # noqa: ANN001
    text = "Thanks for calling. We are closed right now. Please call again tomorrow."
    slow = tts.render(text, "en-US", speed=0.5).duration_seconds
    normal = tts.render(text, "en-US").duration_seconds
    fast = tts.render(text, "en-US", speed=2.0).duration_seconds
    assert slow > normal * 1.5 and fast < normal * 0.7


def test_concurrent_callers_share_one_synthesis(tts) -> None:  # noqa: ANN001
    results = []
    threads = [
        threading.Thread(
            target=lambda: results.append(
                tts.render("Concurrent callers hear one rendering.", "en-US")
            )
        )
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r.object_name for r in results}) == 1
    assert tts.stats["synthesized"] == 1


@pytest.mark.parametrize(
    "kwargs, problem",
    [
        ({"text": "  ", "language": "en-US"}, "empty"),
        ({"text": "hi", "language": "en-US", "speed": 9.0}, "speed"),
        ({"text": "hi", "language": ""}, "language"),
        ({"text": "hi", "language": "en-US", "audio_format": "mp3"}, "wav only"),
    ],
)
def test_bad_input_is_refused(tts, kwargs, problem) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match=problem):
        tts.render(**kwargs)


def test_mp3_duration_counts_frames() -> None:
    from core.tts import mp3_duration

    # MPEG-1 Layer III, 128 kbps, 44.1 kHz, no padding: 417-byte frames of 1152 samples.
    header = bytes([0xFF, 0xFB, 0x90, 0x00])
    frame = header + bytes(417 - 4)
    assert abs(mp3_duration(frame * 100) - 100 * 1152 / 44100) < 1e-6
