"""A deliberately simple reference model of operating hours, evaluated minute by minute.

Independent of core.hours: it reads the plain spec dict, asks zoneinfo for each instant's
wall time, and tests that wall time against the intervals of the local day and the day
before (an interval belongs to the day it starts on). Precedence for a date: one-off
exception, yearly exception (from its first year), public holiday (closed), weekly.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@cache
def _holidays(country: str, subdiv: str | None, year: int) -> frozenset[dt.date]:
    import holidays

    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year))


def day_intervals(spec: dict[str, Any], day: dt.date) -> list[str]:
    exceptions = spec.get("exceptions", [])
    for ex in exceptions:
        if not ex.get("yearly") and dt.date.fromisoformat(ex["date"]) == day:
            return [] if ex.get("closed") else list(ex["hours"])
    for ex in exceptions:
        d = dt.date.fromisoformat(ex["date"])
        if ex.get("yearly") and (d.month, d.day) == (day.month, day.day) and day.year >= d.year:
            return [] if ex.get("closed") else list(ex["hours"])
    hol = spec.get("holidays")
    if hol and day in _holidays(hol["country"], hol.get("subdiv"), day.year):
        return []
    return list(spec.get("weekly", {}).get(DAYS[day.weekday()], []))


def ref_is_open(spec: dict[str, Any], tz: str, at: dt.datetime) -> bool:
    if spec.get("always_open"):
        return True
    local = at.astimezone(ZoneInfo(spec.get("timezone") or tz)).replace(tzinfo=None)
    for day in (local.date(), local.date() - dt.timedelta(days=1)):
        midnight = dt.datetime.combine(day, dt.time())
        for text in day_intervals(spec, day):
            a, b = text.split("-")
            start = int(a[:2]) * 60 + int(a[3:])
            end = int(b[:2]) * 60 + int(b[3:])
            if end <= start:
                end += 24 * 60
            if (
                midnight + dt.timedelta(minutes=start)
                <= local
                < midnight + dt.timedelta(minutes=end)
            ):
                return True
    return False


def open_minutes(spec: dict[str, Any], tz: str, start: dt.datetime, minutes: int) -> list[bool]:
    """Open or not at each whole minute start, start + 1 min, ..."""
    return [ref_is_open(spec, tz, start + dt.timedelta(minutes=i)) for i in range(minutes)]
