"""What a settings change would do: for the next days, every after-hours decision that
differs between the applied config and the proposed one.

Decisions depend on time only through which schedules are open, so they are evaluated at
the instants where some schedule of either config opens or closes (not every minute), and
memoized by the open/closed state of every schedule. SDK decisions are compared by the
options offered (not by the individual scheduled-call slots).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

import flask
from pydantic import AwareDatetime, Field

from core.config import store
from core.config.schema.common import Strict
from core.config.view import CenterView
from core.decisions import decide
from core.errors import bad_request
from core.hours import is_open, open_intervals
from core.http import json_response, parse_body
from settings import access, writes
from settings.resources import (
    CENTER,
    CENTER_HOURS,
    DEFLECTION,
    HOURS,
    LANGUAGES,
    QUEUES,
    ROLES,
    TEAMS,
    USERS,
    Kind,
    etag,
)

MAX_DIFFERENCES = 2000
_SINGLE = {
    "/settings/center": CENTER,
    "/settings/center/hours": CENTER_HOURS,
    "/settings/deflection": DEFLECTION,
}
_NAMED = {k.name: k for k in (HOURS, LANGUAGES, TEAMS, USERS, ROLES, QUEUES)}
_PATH = re.compile(r"^/settings/([a-z]+)/([^/]+)$")


class ProposedChange(Strict):
    """One write as the Settings API would take it (without If-Match)."""

    method: Literal["PUT", "PATCH", "DELETE"]
    path: str = Field(max_length=200, description="e.g. /settings/queues/billing-refunds")
    body: dict[str, Any] | None = None


class ChangePreview(Strict):
    changes: list[ProposedChange] = Field(min_length=1, max_length=20)
    days: int = Field(14, ge=1, le=14)
    start: AwareDatetime | None = None  # default: now


def _resolve(path: str, field: str) -> tuple[Kind, str | None]:
    if path in _SINGLE:
        return _SINGLE[path], None
    m = _PATH.match(path)
    if m and m.group(1) in _NAMED:
        return _NAMED[m.group(1)], m.group(2)
    raise bad_request(field, "not a settings resource path such as /settings/queues/{id}")


def _proposed(who: Any, view: CenterView, req: ChangePreview) -> tuple[Any, Any]:
    cfg, version = store.load_config()
    data = cfg.model_dump(mode="json")
    for i, ch in enumerate(req.changes):
        kind, key = _resolve(ch.path, f"changes[{i}].path")
        if kind.center_wide:
            access.require_center(who)
        else:
            access.require_queue(who, view, str(key))
        if ch.method != "DELETE" and ch.body is None:
            raise bad_request(f"changes[{i}].body", "required for PUT and PATCH")
        current = kind.get(data, key)
        writes.proposed(
            kind,
            data,
            key,
            ch.method,
            ch.body,
            etag(current) if current is not None else None,
            version,
        )
    return cfg, writes.validate(data)


def _instants(views: list[CenterView], start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    out = {start}
    for v in views:
        for spec in v.hours.values():
            for a, b in open_intervals(spec, v.center.timezone, start, end):
                out.update(t for t in (a, b) if start <= t < end)
    return sorted(out)


def _combos(views: list[CenterView], who: Any) -> list[tuple[str, str, str]]:
    queues: list[str] = []
    languages: list[str] = []
    for v in views:
        queues += [q for q in v.queues if q not in queues and who.can_see_queue(q)]
        languages += [
            lang for lang in v.languages or [v.center.default_language] if lang not in languages
        ]
    out = []
    for q in queues:
        channels: list[str] = []
        for v in views:
            if v.queue(q) is not None:
                channels += [c for c in v.channels(q) if c not in channels]
        out += [(q, c, lang) for c in channels for lang in languages]
    return out


class _Decider:
    """Decision summaries of one config, memoized by the state of every schedule."""

    def __init__(self, view: CenterView) -> None:
        self.view = view
        self.ids = sorted(view.hours)
        self.memo: dict[tuple, dict[str, Any]] = {}
        self.states: dict[dt.datetime, tuple[bool, ...]] = {}

    def state(self, at: dt.datetime) -> tuple[bool, ...]:
        if at not in self.states:
            tz = self.view.center.timezone
            self.states[at] = tuple(is_open(self.view.hours[h], tz, at) for h in self.ids)
        return self.states[at]

    def __call__(self, qid: str, channel: str, language: str, at: dt.datetime) -> dict[str, Any]:
        if self.view.queue(qid) is None:
            return {"queue": "absent"}
        if channel not in self.view.channels(qid):
            return {"channel": "not served"}
        key = (qid, channel, language, self.state(at))
        if key not in self.memo:
            self.memo[key] = summary(self.view, qid, channel, language, at)
        return self.memo[key]


def summary(view: CenterView, qid: str, channel: str, language: str, at: dt.datetime) -> dict:
    """What happens to a contact, in the terms an admin compares."""
    if channel == "voice":
        d = decide.ivr(view, qid, language, at)
        return {"open": d.open, "action": d.action, "target": d.target, "reason": d.reason}
    if channel in ("mobile", "web"):
        s = decide.sdk(view, qid, channel, language, at)
        out: dict[str, Any] = {
            "open": s.open,
            "deflected": s.deflected,
            "reason": s.reason,
            "options": [o["type"] for o in s.options],
        }
        if s.deflect_to_queue:
            out["deflect_to_queue"] = s.deflect_to_queue["queue_id"]
        return out
    if channel == "chat":
        c = decide.chat(view, qid, language, at)
        return {
            "open": c["open"],
            "deflected": c["deflected"],
            "reason": c["reason"],
            "options": [o["type"] for o in c["options"]],
            "message": c.get("message"),
        }
    m = decide.sms(view, qid, language, at)
    return {
        "open": m["open"],
        "deflected": m["deflected"],
        "reason": m["reason"],
        "text": m["text"],
    }


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def differences(
    before: CenterView, after: CenterView, who: Any, start: dt.datetime, end: dt.datetime
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    instants = _instants([before, after], start, end)
    combos = _combos([before, after], who)
    old, new = _Decider(before), _Decider(after)
    out: list[dict[str, Any]] = []
    for qid, channel, language in combos:
        span: dict[str, Any] | None = None
        for i, at in enumerate(instants):
            b, a = old(qid, channel, language, at), new(qid, channel, language, at)
            until = instants[i + 1] if i + 1 < len(instants) else end
            if b == a:
                span = None
                continue
            if span is not None and span["before"] == b and span["after"] == a:
                span["until"] = _iso(until)
                continue
            span = {
                "queue_id": qid,
                "channel": channel,
                "language": language,
                "at": _iso(at),
                "until": _iso(until),
                "before": b,
                "after": a,
            }
            out.append(span)
    stats = {"instants": len(instants), "combinations": len(combos)}
    return out, stats


def run(request: flask.Request) -> flask.Response:
    who = access.editor(request)
    req = parse_body(request, ChangePreview)
    view = store.get_view()
    cfg, proposed = _proposed(who, view, req)
    start = (req.start or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    end = start + dt.timedelta(days=req.days)
    before, after = CenterView(cfg, "applied"), CenterView(proposed, "proposed")
    found, stats = differences(before, after, who, start, end)
    return json_response(
        {
            "from": _iso(start),
            "until": _iso(end),
            "version": view.version,
            "evaluated": stats,
            "differences": found[:MAX_DIFFERENCES],
            "truncated": len(found) > MAX_DIFFERENCES,
        }
    )
