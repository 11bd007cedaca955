"""Effective notification settings of a queue: defaults, then the contact center's, then
each ancestor's and the queue's own overrides (root to leaf).

A tone slot is replaced as a whole (a child choosing `custom` must not keep the parent's
`builtin`); everything else merges field by field. `sources` says which level set each
leaf, so the portal can show "inherited from Billing".
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from core.config.schema.notifications import NotificationSettings
from core.config.view import CenterView

Kind = Literal["calls", "chats"]
ClipKind = Literal["tone", "whisper"]  # the uploaded clip library's two kinds
KINDS: tuple[Kind, ...] = ("calls", "chats")

DEFAULTS: dict[str, Any] = {
    "whisper": {"enabled": False, "type": "queue_name", "speed": 1.0},
    "countdown": {"enabled": False, "seconds": 3},
    "tones": {
        "incoming_call": {"builtin": "classic-ring"},
        "new_chat": {"builtin": "chime"},
        "new_message": {"builtin": "pop"},
    },
    "frequency": {"mode": "once"},
    "sms_on_incoming_call": False,
}
TONE_SLOTS = ("incoming_call", "new_chat", "new_message")


def _lay(
    out: dict[str, Any], sources: dict[str, str], part: dict[str, Any], where: str, prefix: str = ""
) -> None:
    for key, value in part.items():
        path = f"{prefix}{key}"
        if value is None:
            continue
        if prefix == "tones." and isinstance(value, dict):
            out[key] = dict(value)  # a tone slot is one choice, replaced whole
            for k in [s for s in sources if s.startswith(path + ".")]:
                del sources[k]
            for k in value:
                sources[f"{path}.{k}"] = where
        elif isinstance(value, dict):
            out.setdefault(key, {})
            _lay(out[key], sources, value, where, path + ".")
        else:
            out[key] = value
            sources[path] = where


def _leaves(d: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for k, v in d.items():
        out.extend(_leaves(v, f"{prefix}{k}.") if isinstance(v, dict) else [f"{prefix}{k}"])
    return out


def resolve(view: CenterView, qid: str | None, kind: Kind) -> tuple[dict[str, Any], dict[str, str]]:
    """(effective settings, source of each leaf) for a queue (None: the global level)."""
    out = copy.deepcopy(DEFAULTS)
    sources = {leaf: "defaults" for leaf in _leaves(out)}
    levels: list[tuple[str, NotificationSettings]] = view.layers(qid, f"notifications.{kind}")
    for where, part in levels:
        _lay(out, sources, part.model_dump(exclude_none=True), where)
    return out, sources


def effective(view: CenterView, qid: str | None, kind: Kind) -> dict[str, Any]:
    return resolve(view, qid, kind)[0]


def problems(settings: dict[str, Any]) -> list[tuple[str, str]]:
    """Combinations that are valid field by field but cannot be played."""
    out: list[tuple[str, str]] = []
    w = settings["whisper"]
    if w.get("enabled"):
        if w.get("type") == "tts" and not w.get("text"):
            out.append(("whisper.text", "required when the whisper type is tts"))
        if w.get("type") == "audio" and not w.get("audio"):
            out.append(
                (
                    "whisper.audio",
                    "required when the whisper type is audio (id of an uploaded whisper clip)",
                )
            )
    f = settings["frequency"]
    if f.get("mode") == "repeat":
        if not f.get("every_seconds"):
            out.append(("frequency.every_seconds", "required when the mode is repeat"))
        if not f.get("until"):
            out.append(
                ("frequency.until", "required when the mode is repeat (answered or no_contacts)")
            )
    return out


def custom_references(settings: dict[str, Any]) -> list[tuple[str, ClipKind, str]]:
    """(field, library kind, id) of every uploaded clip the settings point at."""
    refs: list[tuple[str, ClipKind, str]] = [
        (f"tones.{slot}.custom", "tone", t["custom"])
        for slot, t in settings["tones"].items()
        if t.get("custom")
    ]
    w = settings["whisper"]
    if w.get("type") == "audio" and w.get("audio"):
        refs.append(("whisper.audio", "whisper", w["audio"]))
    return refs
