"""MP3 validation by content: an optional ID3v2 tag, then a run of MPEG audio Layer III
frames to the end of the file (an ID3v1 tag may close it).

The file name and the declared content type are never trusted; a renamed WAV, PNG or text
file fails here. Walking every frame header (not just looking for one sync word) is what
keeps random bytes that happen to contain 0xFFE0 from passing.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 1024 * 1024  # tones and whisper clips are seconds long; 1 MiB is generous
MIN_FRAMES = 2

# Layer III bitrates in kbit/s by bitrate index (0 = free format, unsupported; 15 = bad).
_BITRATES = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2 / 2.5
}
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


class Mp3Error(ValueError):
    """The bytes are not an MP3 we accept; the message says why (shown to the user)."""


@dataclass(frozen=True)
class Mp3Info:
    frames: int
    sample_rate: int
    duration_seconds: float
    bitrate_kbps: int  # of the first frame
    id3: bool


@dataclass(frozen=True)
class _Frame:
    version: int  # the 2-bit version field: 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
    sample_rate: int
    bitrate: int
    length: int
    samples: int


def _frame_at(data: bytes, pos: int) -> _Frame | None:
    if pos + 4 > len(data):
        return None
    b1, b2, b3 = data[pos + 1], data[pos + 2], data[pos + 3]
    if data[pos] != 0xFF or (b1 & 0xE0) != 0xE0:
        return None
    version = (b1 >> 3) & 0x3
    layer = (b1 >> 1) & 0x3
    if version == 1 or layer != 0x1:  # reserved version, or not Layer III
        return None
    br_index = b2 >> 4
    sr_index = (b2 >> 2) & 0x3
    if br_index in (0, 15) or sr_index == 3 or (b3 & 0x3) == 2:  # free/bad, reserved emphasis
        return None
    bitrate = _BITRATES[1 if version == 3 else 2][br_index]
    sample_rate = _SAMPLE_RATES[version][sr_index]
    padding = (b2 >> 1) & 0x1
    coeff, samples = (144, 1152) if version == 3 else (72, 576)
    length = coeff * bitrate * 1000 // sample_rate + padding
    return _Frame(version, sample_rate, bitrate, length, samples)


def _id3v2_size(data: bytes) -> int:
    """Bytes taken by a leading ID3v2 tag (0 if none); raises on a malformed tag."""
    if not data.startswith(b"ID3"):
        return 0
    if len(data) < 10:
        raise Mp3Error("truncated ID3v2 tag")
    major, flags, size_bytes = data[3], data[5], data[6:10]
    if major not in (2, 3, 4) or data[4] == 0xFF:
        raise Mp3Error(f"unsupported ID3v2 version 2.{major}")
    if any(b & 0x80 for b in size_bytes):
        raise Mp3Error("ID3v2 tag size is not sync-safe")
    size = 0
    for b in size_bytes:
        size = (size << 7) | b
    total = 10 + size + (10 if flags & 0x10 else 0)
    if total > len(data):
        raise Mp3Error("ID3v2 tag runs past the end of the file")
    return total


def inspect(data: bytes, max_bytes: int = MAX_BYTES) -> Mp3Info:
    """Parse and validate; raise Mp3Error with a user-facing reason."""
    if not data:
        raise Mp3Error("the file is empty")
    if len(data) > max_bytes:
        raise Mp3Error(f"the file is {len(data)} bytes; the limit is {max_bytes}")
    pos = _id3v2_size(data)
    first = _frame_at(data, pos)
    if first is None:
        raise Mp3Error(
            "no MPEG audio Layer III frame where the audio should start (is this really an MP3?)"
        )
    end = len(data)
    if end - pos >= 128 and data[end - 128 : end - 125] == b"TAG":
        end -= 128  # ID3v1 tag
    frames, samples = 0, 0
    while pos < end:
        frame = _frame_at(data, pos)
        if frame is None:
            break
        if (frame.version, frame.sample_rate) != (first.version, first.sample_rate):
            raise Mp3Error(f"frame {frames + 1} changes MPEG version or sample rate")
        if pos + frame.length > end:
            # A cut-off last frame is common in the wild; it still plays.
            frames += 1
            samples += frame.samples
            pos = end
            break
        frames += 1
        samples += frame.samples
        pos += frame.length
    if pos < end:
        raise Mp3Error(f"bytes at offset {pos} are not an MPEG audio frame")
    if frames < MIN_FRAMES:
        raise Mp3Error(f"only {frames} audio frame(s); at least {MIN_FRAMES} are needed")
    return Mp3Info(
        frames,
        first.sample_rate,
        round(samples / first.sample_rate, 3),
        first.bitrate,
        data.startswith(b"ID3"),
    )


def duration_seconds(data: bytes) -> float:
    """Sum the frames of a Layer III stream (CBR or VBR), skipping an ID3v2 tag and any
    bytes between frames. Lenient, for audio we rendered ourselves; uploads go through
    `inspect`."""
    try:
        pos = _id3v2_size(data)
    except Mp3Error:
        pos = 0
    seconds = 0.0
    while pos + 4 <= len(data):
        frame = _frame_at(data, pos)
        if frame is None:
            pos += 1
            continue
        seconds += frame.samples / frame.sample_rate
        pos += frame.length
    return seconds
