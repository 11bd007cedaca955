"""Uploaded prompts a config names must exist in the media bucket and be audio.

A greeting that is missing (a typo, an upload that never happened) or is not audio would
only show up as a caller hearing silence or an error tone, so the file is refused with
the field named. https URLs are the operator's own hosting and are not fetched here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from core.config.schema import ContactCenterConfig
from core.config.schema.messages import Message


def _messages(cfg: ContactCenterConfig) -> Iterator[tuple[tuple[Any, ...], Message]]:
    for code, lang in cfg.languages.items():
        for key in type(lang).model_fields:
            value = getattr(lang, key)
            if isinstance(value, Message):
                yield ("languages", code, key), value
        for key, value in lang.extra.items():
            yield ("languages", code, "extra", key), value
    voice = cfg.center.deflection.voice
    for key in ("message", "voicemail_greeting"):
        if (m := getattr(voice, key)) is not None:
            yield ("center", "deflection", "voice", key), m
    for loc, q, _ in cfg.walk_queues():
        d = q.deflection
        if d is None or d.voice is None:
            continue
        for key in ("message", "voicemail_greeting"):
            if (m := getattr(d.voice, key)) is not None:
                yield (*loc, "deflection", "voice", key), m


def problems(cfg: ContactCenterConfig) -> list[tuple[tuple[Any, ...], str]]:
    wanted = [
        (loc, m.audio)
        for loc, m in _messages(cfg)
        if m.audio and not m.audio.startswith("https://")
    ]
    if not wanted:
        return []  # no I/O for the usual text-only file
    from core import clients
    from core.settings import settings

    bucket = clients.storage_client().bucket(settings().media_bucket)
    out: list[tuple[tuple[Any, ...], str]] = []
    for loc, name in wanted:
        blob = bucket.get_blob(name)
        if blob is None:
            out.append(((*loc, "audio"), f"no file {name!r} in the media bucket"))
        elif not (blob.content_type or "").startswith("audio/"):
            out.append(
                ((*loc, "audio"), f"{name!r} is not audio (content type {blob.content_type!r})")
            )
    return out
