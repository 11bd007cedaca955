"""Hostile bytes against the upload sniffers: SmartActions content checks (PNG / JPEG / MP4)
and the notifications MP3 validation. Never an exception other than the module's own
validation error; and over HTTP, never a 5xx."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import mp3
from core.errors import ApiError
from smartactions import media, sniff
from tests.helpers.notifications import mp3_frames
from tests.helpers.smartactions import jpeg_bytes, mp4_bytes, png_bytes

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HTTP = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A real file cut, flipped, spliced or padded: close to valid, where parsers break."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "dup"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[i : i + draw(st.integers(1, 600))]
        elif op == "insert":
            data[i:i] = draw(st.binary(max_size=64))
        else:
            data += bytes(data[i : i + draw(st.integers(1, 500))])
    return bytes(data)


MEDIA = [png_bytes(), png_bytes(extra=40), jpeg_bytes(), mp4_bytes(64)]
MP3 = [
    mp3_frames(3),
    mp3_frames(4, mpeg2=True),
    mp3_frames(2, id3_title="Bell"),
    mp3_frames(3, id3v1=True),
]
any_bytes = st.binary(max_size=2048)


@FUZZ
@given(st.one_of(any_bytes, mutated(MEDIA)))
def test_media_sniffer_never_raises(data: bytes) -> None:
    head = media.read_head(io.BytesIO(data))
    assert head == data[: sniff.HEAD_BYTES]
    found = sniff.sniff(head)
    assert found is None or found in (sniff.PNG, sniff.JPEG, sniff.MP4)
    assert isinstance(sniff.describe(head), str)
    try:
        mt = media.check_type(head, (sniff.PNG, sniff.JPEG, sniff.MP4), "body")
    except ApiError as exc:
        assert exc.status == 415 and exc.field == "body"
    else:
        assert mt is found


@FUZZ
@given(st.one_of(any_bytes, mutated(MP3)))
def test_mp3_validation_only_says_mp3error(data: bytes) -> None:
    try:
        info = mp3.inspect(data)
    except mp3.Mp3Error as exc:
        assert str(exc)
    else:
        assert info.frames >= mp3.MIN_FRAMES and info.duration_seconds > 0
        assert info.sample_rate in (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)


def test_the_fuzzed_validators_can_accept_and_refuse() -> None:
    """Guards the two tests above from passing vacuously."""
    assert mp3.inspect(MP3[0]).frames == 3
    assert sniff.sniff(png_bytes()) is sniff.PNG
    try:
        mp3.inspect(png_bytes())
    except mp3.Mp3Error:
        pass
    else:
        raise AssertionError("a PNG passed as an MP3")


@pytest.fixture
def live_chat(
    demo: Any,
    app_client: Callable[[str], Any],
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
) -> Callable[[], tuple[Any, str, str]]:
    """A live web chat of end user `fuzz-user` (made once per test, not per example)."""
    made: list[tuple[Any, str, str]] = []

    def _get() -> tuple[Any, str, str]:
        if not made:
            sessions, token = app_client("sessions_http"), sdk_token("fuzz-user")
            r = sessions.post(
                "/sdk/chats",
                json={"channel": "web", "queue_id": "billing-refunds"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert r.status_code == 201, r.get_json()
            sid = r.get_json()["session"]["id"]
            r = sessions.post(
                f"/agent/sessions/{sid}/assign",
                json={"agent_id": "alex"},
                headers={"Authorization": f"Bearer {portal_token('router')}"},
            )
            assert r.status_code == 200, r.get_json()
            made.append((app_client("smartactions_http"), sid, token))
        return made[0]

    return _get


@HTTP
@given(data=st.one_of(any_bytes.filter(bool), mutated(MP3)))
def test_tone_upload_never_5xx(
    data: bytes, app_client: Callable[[str], Any], demo: Any, portal_token: Callable[[str], str]
) -> None:
    client = app_client("notifications_http")
    r = client.post(
        "/notifications/tones?name=fuzz",
        data=data,
        headers={"Authorization": f"Bearer {portal_token('ada')}", "Content-Type": "audio/mpeg"},
    )
    assert r.status_code in (201, 400, 413, 415, 422), (r.status_code, r.get_data()[:300])
    assert r.is_json


@HTTP
@given(
    data=st.one_of(any_bytes.filter(bool), mutated(MEDIA)),
    name=st.sampled_from(["a.png", "b.jpg", "c.mp4"]),
)
def test_attachment_upload_never_5xx(
    data: bytes, name: str, suite: Any, live_chat: Callable[[], tuple[Any, str, str]]
) -> None:
    client, sid, token = live_chat()
    r = client.post(
        f"/sdk/sessions/{sid}/attachments?filename={name}",
        data=data,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/octet-stream",
            "Content-Length": str(len(data)),
        },
    )
    assert r.status_code in (201, 400, 409, 411, 413, 415), (r.status_code, r.get_data()[:300])
    assert r.is_json
