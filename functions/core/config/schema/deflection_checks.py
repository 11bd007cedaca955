"""Deflection settings that validate one by one but do nothing useful together.

Each would fail silently at run time (a caller hears a built-in fallback, an SMS goes out
empty, a mobile option is dropped), so the whole file is refused with the field named.
Inheritance follows the run-time rules: a queue's override is the nearest ancestor's (or
the center's), messages fall back to the center's default language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from core.config.schema.deflection import MOBILE_ONLY

if TYPE_CHECKING:  # pragma: no cover
    from core.config.schema.queues import Queue
    from core.config.schema.root import ContactCenterConfig

Err = Callable[[tuple, str], None]


def _lineage(cfg: ContactCenterConfig) -> Iterable[tuple[Queue, list[tuple[tuple, Queue]]]]:
    """(leaf queue, [(location, queue) root first]) for every leaf."""

    def rec(qs: list[Queue], loc: tuple, chain: list[tuple[tuple, Queue]]) -> Iterable:
        for i, q in enumerate(qs):
            here = (*loc, i)
            path = [*chain, (here, q)]
            if q.children:
                yield from rec(q.children, (*here, "children"), path)
            else:
                yield q, path

    yield from rec(cfg.queues, ("queues",), [])


def _channels(chain: list[tuple[tuple, Queue]]) -> list[str]:
    for _, q in reversed(chain):
        if q.channels:
            return list(q.channels)
    return []


def _languages(cfg: ContactCenterConfig, qid: str, chain: list[tuple[tuple, Queue]]) -> set[str]:
    """Languages a queue serves: the default, those its hours name, those its numbers use."""
    langs = {cfg.center.default_language, *cfg.center.hours.languages}
    langs |= {k.split(":", 1)[1] for k in cfg.center.hours.channel_languages if ":" in k}
    for _, q in chain:
        if q.hours:
            langs |= set(q.hours.languages)
            langs |= {k.split(":", 1)[1] for k in q.hours.channel_languages if ":" in k}
    langs |= {
        r.language for r in cfg.center.deflection.numbers.values() if r.queue == qid and r.language
    }
    return langs


def _has(cfg: ContactCenterConfig, language: str, key: str) -> bool:
    """Run-time lookup: the language (or its base, "es" -> "es-US"), else the default."""

    def lang(code: str) -> Any:
        if code in cfg.languages:
            return cfg.languages[code]
        base = code.split("-")[0].lower()
        return next((v for k, v in cfg.languages.items() if k.split("-")[0].lower() == base), None)

    for code in (language, cfg.center.default_language):
        conf = lang(code)
        if conf is not None and getattr(conf, key, None):
            return True
    return False


def _nearest(chain: list[tuple[tuple, Queue]], attr: str) -> tuple[Any, tuple] | None:
    for loc, q in reversed(chain):
        d = q.deflection
        if d is not None and getattr(d, attr) is not None:
            return getattr(d, attr), (*loc, "deflection", attr)
    return None


def check(cfg: ContactCenterConfig, err: Err) -> None:
    center = cfg.center.deflection
    reported: set[tuple] = set()

    def once(loc: tuple, msg: str) -> None:
        if loc not in reported:
            reported.add(loc)
            err(loc, msg)

    c_mobile = center.mobile
    if c_mobile.enabled and MOBILE_ONLY.intersection(c_mobile.options) and not c_mobile.phone:
        once(
            ("center", "deflection", "mobile", "phone"),
            f"options {sorted(MOBILE_ONLY.intersection(c_mobile.options))} need a phone number",
        )
    for q, chain in _lineage(cfg):
        channels = _channels(chain)
        langs = _languages(cfg, q.id, chain)
        if "voice" in channels:
            found = _nearest(chain, "voice")
            ivr, where = found if found else (center.voice, ("center", "deflection", "voice"))
            if ivr.enabled and ivr.option == "message" and ivr.message is None:
                missing = sorted(lg for lg in langs if not _has(cfg, lg, "after_hours_message"))
                if missing:
                    once(
                        (*where, "message"),
                        f"message-only deflection for queue {q.id!r} has no after-hours "
                        f"message in {', '.join(missing)} (set `message` here or "
                        "`languages.<code>.after_hours_message`)",
                    )
        if "sms" in channels:
            found = _nearest(chain, "sms")
            sms, where = found if found else (center.sms, ("center", "deflection", "sms"))
            texts = [d.sms.text for _, x in chain if (d := x.deflection) and d.sms]
            if sms.enabled and not any(texts) and not center.sms.text:
                missing = sorted(lg for lg in langs if not _has(cfg, lg, "sms_after_hours_text"))
                if missing:
                    once(
                        (*where, "text"),
                        f"SMS deflection for queue {q.id!r} has no text in "
                        f"{', '.join(missing)} anywhere in its chain (queue, center, "
                        "`languages.<code>.sms_after_hours_text`)",
                    )
        if "mobile" in channels:
            found = _nearest(chain, "mobile")
            if found:
                mob, where = found
                wanted = MOBILE_ONLY.intersection(mob.options or [])
                if mob.enabled and wanted and not (mob.phone or c_mobile.phone):
                    once(
                        (*where, "phone"),
                        f"options {sorted(wanted)} need a phone number (here or "
                        "`center.deflection.mobile.phone`)",
                    )
