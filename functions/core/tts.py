"""Text-to-speech, cached in Cloud Storage by content hash: nothing is synthesized twice.

`render(text, language, voice, speed)` returns a `RenderedAudio` naming an object in the
media bucket. The object name is the SHA-256 of (engine, format, text, language, voice,
speed), so the bucket itself is the cache shared by every instance: an in-process LRU
remembers objects already known, then the bucket is checked, and only then is the text
synthesized and uploaded (`if_generation_match=0`: a concurrent instance that won the
race keeps its copy). Concurrent calls for the same text in one instance wait for a
single synthesis.

Engines (TTS_ENGINE): `google` (Cloud Text-to-Speech; LINEAR16 -> WAV, or MP3) in the
cloud, `espeak` (espeak-ng from Debian, WAV) on the emulator suite. Durations are measured
from the audio itself and stored as object metadata, so a bucket hit needs no download.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Literal
from urllib.parse import quote

from core import clients, logs
from core.caches import on_reset
from core.mp3 import duration_seconds as mp3_duration
from core.settings import settings

log = logs.get("tts")

AudioFormat = Literal["wav", "mp3"]
CONTENT_TYPES: dict[str, str] = {"wav": "audio/wav", "mp3": "audio/mpeg"}
PREFIX = "tts/"
MAX_TEXT = 5000  # Google's request limit in bytes is 5000; we check characters up front
MIN_SPEED, MAX_SPEED = 0.25, 4.0
ESPEAK_WPM = 175  # espeak-ng's default rate; speed 1.0
ESPEAK_MIN_WPM, ESPEAK_MAX_WPM = 80, 450  # what espeak-ng accepts
_LRU_SIZE = 512

# Counters for tests and logs: how often each path served a render.
stats: dict[str, int] = {"memory_hits": 0, "bucket_hits": 0, "synthesized": 0}


class TtsError(Exception):
    """Synthesis failed (engine missing, engine error)."""


@dataclass(frozen=True)
class RenderedAudio:
    bucket: str
    object_name: str
    content_type: str
    duration_seconds: float
    engine: str

    def read_bytes(self) -> bytes:
        return (
            clients.storage_client().bucket(self.bucket).blob(self.object_name).download_as_bytes()
        )

    def url(self, expires_seconds: int = 3600) -> str:
        """A URL the carrier can fetch: the emulator's public path locally, a V4 signed
        URL (signed through IAM, no key file) in the cloud."""
        return object_url(self.bucket, self.object_name, expires_seconds)


_url_cache: dict[tuple[str, str], tuple[float, str]] = {}


@on_reset
def _forget_urls() -> None:
    _url_cache.clear()


def object_url(bucket: str, name: str, expires_seconds: int = 3600) -> str:
    """URL of a media object for the carrier. Signed URLs are reused for half their life,
    so the hot path does not call IAM to sign on every request."""
    s = settings()
    if s.storage_emulator_host:
        return f"{s.storage_emulator_host.rstrip('/')}/{bucket}/{quote(name)}"
    now = time.time()
    hit = _url_cache.get((bucket, name))
    if hit is not None and hit[0] > now:
        return hit[1]
    url = _signed_url(bucket, name, expires_seconds)
    if len(_url_cache) > 4096:
        _url_cache.clear()
    _url_cache[(bucket, name)] = (now + expires_seconds / 2, url)
    return url


def _signed_url(bucket: str, name: str, expires_seconds: int) -> str:
    import google.auth
    from google.auth.transport import requests as gar

    creds, _ = google.auth.default()
    creds.refresh(gar.Request())
    blob = clients.storage_client().bucket(bucket).blob(name)
    return blob.generate_signed_url(
        version="v4",
        expiration=timedelta(seconds=expires_seconds),
        method="GET",
        service_account_email=getattr(creds, "service_account_email", None),
        access_token=creds.token,
    )


# -- cache -------------------------------------------------------------------------------
_lru: OrderedDict[str, RenderedAudio] = OrderedDict()
_lru_lock = threading.Lock()
_key_locks: dict[str, threading.Lock] = {}


def _lru_get(name: str) -> RenderedAudio | None:
    with _lru_lock:
        hit = _lru.get(name)
        if hit is not None:
            _lru.move_to_end(name)
        return hit


def _lru_put(audio: RenderedAudio) -> None:
    with _lru_lock:
        _lru[audio.object_name] = audio
        _lru.move_to_end(audio.object_name)
        while len(_lru) > _LRU_SIZE:
            _lru.popitem(last=False)


def forget_memory() -> None:
    """Drop the in-process cache (tests; the bucket stays the source of truth)."""
    with _lru_lock:
        _lru.clear()


def object_name(
    engine: str, fmt: str, text: str, language: str, voice: str | None, speed: float
) -> str:
    key = json.dumps(
        [engine, fmt, text, language, voice, round(float(speed), 3)],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return f"{PREFIX}{hashlib.sha256(key.encode()).hexdigest()}.{fmt}"


# -- public API --------------------------------------------------------------------------
def render(
    text: str,
    language: str,
    voice: str | None = None,
    speed: float = 1.0,
    audio_format: AudioFormat = "wav",
) -> RenderedAudio:
    """Audio for `text`, from the cache when it was rendered before (any instance)."""
    text = (text or "").strip()
    if not text:
        raise ValueError("text is empty")
    if len(text) > MAX_TEXT:
        raise ValueError(f"text is longer than {MAX_TEXT} characters")
    if not language:
        raise ValueError("language is empty")
    if not MIN_SPEED <= float(speed) <= MAX_SPEED:
        raise ValueError(f"speed must be between {MIN_SPEED} and {MAX_SPEED}")
    engine = settings().tts_engine
    if engine not in ("google", "espeak"):
        raise TtsError(f"unknown TTS_ENGINE {engine!r}")
    if audio_format not in CONTENT_TYPES:
        raise ValueError("audio_format must be wav or mp3")
    if engine == "espeak" and audio_format != "wav":
        raise ValueError("the espeak engine renders wav only")
    name = object_name(engine, audio_format, text, language, voice, speed)
    hit = _lru_get(name)
    if hit is not None:
        stats["memory_hits"] += 1
        return hit
    with _lru_lock:
        lock = _key_locks.setdefault(name, threading.Lock())
    with lock:  # one synthesis per text in this instance, however many callers wait
        hit = _lru_get(name)
        if hit is not None:
            stats["memory_hits"] += 1
            return hit
        bucket_name = settings().media_bucket
        bucket = clients.storage_client().bucket(bucket_name)
        blob = bucket.get_blob(name)
        if blob is not None and (blob.metadata or {}).get("duration_seconds"):
            audio = RenderedAudio(
                bucket_name,
                name,
                blob.content_type or CONTENT_TYPES[audio_format],
                float(blob.metadata["duration_seconds"]),
                engine,
            )
            stats["bucket_hits"] += 1
        else:
            data = (
                _espeak(text, language, speed)
                if engine == "espeak"
                else _google(text, language, voice, speed, audio_format)
            )
            duration = wav_duration(data) if audio_format == "wav" else mp3_duration(data)
            audio = RenderedAudio(
                bucket_name, name, CONTENT_TYPES[audio_format], round(duration, 3), engine
            )
            _upload(bucket, audio, data, language, voice, speed)
            stats["synthesized"] += 1
            logs.event(
                log,
                "tts rendered",
                engine=engine,
                object=name,
                duration_seconds=audio.duration_seconds,
                chars=len(text),
            )
        _lru_put(audio)
    with _lru_lock:
        _key_locks.pop(name, None)
    return audio


def _upload(
    bucket: object,
    audio: RenderedAudio,
    data: bytes,
    language: str,
    voice: str | None,
    speed: float,
) -> None:
    from google.api_core.exceptions import PreconditionFailed

    blob = bucket.blob(audio.object_name)  # type: ignore[attr-defined]
    blob.metadata = {
        "duration_seconds": str(audio.duration_seconds),
        "engine": audio.engine,
        "language": language,
        "voice": voice or "",
        "speed": str(speed),
    }
    blob.cache_control = "public, max-age=31536000, immutable"  # content-addressed
    try:
        blob.upload_from_string(data, content_type=audio.content_type, if_generation_match=0)
    except PreconditionFailed:
        pass  # another instance stored the same content first


# -- engines -----------------------------------------------------------------------------
@cache
def _espeak_voices() -> frozenset[str]:
    out = subprocess.run(
        ["espeak-ng", "--voices"], capture_output=True, text=True, timeout=10, check=False
    ).stdout
    names = set()
    for line in out.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 2:
            names.add(parts[1].lower())
    return frozenset(names)


def espeak_voice(language: str) -> str:
    """BCP-47 (en-US, es-US, fr) -> an espeak-ng voice: exact, Latin-American Spanish for
    es-<Americas>, the bare language, else English."""
    lang = language.lower().replace("_", "-")
    voices = _espeak_voices()
    primary = lang.split("-")[0]
    if lang in voices:
        return lang
    if primary == "es" and lang != "es-es" and "es-419" in voices:
        return "es-419"
    if primary == "pt" and lang == "pt-br" and "pt-br" in voices:
        return "pt-br"
    for candidate in (primary, f"{primary}-{primary}"):  # fr -> fr-fr before fr-be
        if candidate in voices:
            return candidate
    for v in sorted(voices):
        if v.startswith(primary + "-"):
            return v
    return "en-us" if "en-us" in voices else "en"


def _espeak(text: str, language: str, speed: float) -> bytes:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise TtsError("espeak-ng is not installed (run scripts/setup.sh)")
    wpm = max(ESPEAK_MIN_WPM, min(ESPEAK_MAX_WPM, round(ESPEAK_WPM * float(speed))))
    fd, path = tempfile.mkstemp(suffix=".wav")
    os.close(fd)
    try:
        # Text on stdin, never on the command line: it is configuration, not arguments.
        proc = subprocess.run(
            [exe, "-w", path, "-v", espeak_voice(language), "-s", str(wpm), "--stdin"],
            input=text.encode(),
            capture_output=True,
            timeout=60,
            check=False,
        )
        if proc.returncode != 0:
            raise TtsError(f"espeak-ng failed: {proc.stderr.decode(errors='replace')[:200]}")
        with open(path, "rb") as fh:
            return fh.read()
    finally:
        os.unlink(path)


def _google(text: str, language: str, voice: str | None, speed: float, fmt: str) -> bytes:
    from google.cloud import texttospeech as tts

    encoding = tts.AudioEncoding.LINEAR16 if fmt == "wav" else tts.AudioEncoding.MP3
    params = tts.VoiceSelectionParams(language_code=language, name=voice or "")
    resp = clients.text_to_speech().synthesize_speech(
        input=tts.SynthesisInput(text=text),
        voice=params,
        audio_config=tts.AudioConfig(audio_encoding=encoding, speaking_rate=float(speed)),
        timeout=30,
    )
    return bytes(resp.audio_content)  # LINEAR16 comes with its WAV header


# -- durations ---------------------------------------------------------------------------
def wav_duration(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as w:
        return w.getnframes() / float(w.getframerate())
