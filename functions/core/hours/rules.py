"""Which rule governs a local calendar day: the compiled form of an HoursSpec.

Precedence for a date: a one-off exception, then a yearly exception, then a public holiday
(closed), then the weekly intervals. An interval belongs to the day it starts on: Monday's
`20:00-04:00` runs into Tuesday even when Tuesday is a holiday, and a closed day closes the
intervals that start on it. Intervals are naive local datetimes [start, end); whether a
real instant is inside one is decided by its wall-clock time in the zone (see engine).
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from core.config.schema.hours import WEEKDAYS, HoursSpec, parse_interval

Minutes = tuple[int, int]  # (start, end) from local midnight; end <= start crosses midnight


@dataclass(frozen=True)
class DayRule:
    """The rule for one local date: where it came from and its intervals."""

    kind: str  # "weekly" | "exception" | "holiday"
    name: str  # weekday, exception name or holiday name
    intervals: tuple[Minutes, ...]
    label: tuple[str, ...] = ()  # the intervals as written, for explanations

    @property
    def closed(self) -> bool:
        return not self.intervals


def naive_bounds(day: dt.date, iv: Minutes) -> tuple[dt.datetime, dt.datetime]:
    """Local naive [start, end) of an interval that starts on `day`."""
    start, end = iv
    midnight = dt.datetime(day.year, day.month, day.day)
    a = midnight + dt.timedelta(minutes=start)
    b = midnight + dt.timedelta(minutes=end if end > start else end + 1440)
    return a, b


@lru_cache(maxsize=256)
def holiday_names(country: str, subdiv: str | None, year: int) -> dict[dt.date, str]:
    """Public holidays of one year (the `holidays` package is slow to expand: cache)."""
    from core.hours.holiday_calendars import country_holidays

    return dict(country_holidays(country, subdiv=subdiv, years=year).items())


_hol_lock = threading.Lock()


def _holiday(country: str, subdiv: str | None, day: dt.date) -> str | None:
    with _hol_lock:  # lru_cache is thread-safe, but avoid building one year twice
        return holiday_names(country, subdiv, day.year).get(day)


def _minutes(intervals: list[str]) -> tuple[tuple[Minutes, ...], tuple[str, ...]]:
    return tuple(parse_interval(v) for v in intervals), tuple(intervals)


class CompiledHours:
    """An HoursSpec parsed once: weekly minutes, exceptions by date, holiday calendar."""

    def __init__(self, spec: HoursSpec) -> None:
        self.always_open = spec.always_open
        self.timezone = spec.timezone
        self.weekly: list[DayRule] = []
        for i, wd in enumerate(WEEKDAYS):
            ivs, label = _minutes(spec.weekly.for_weekday(i))
            self.weekly.append(DayRule("weekly", wd, ivs, label))
        self.one_off: dict[dt.date, DayRule] = {}
        self.yearly: dict[tuple[int, int], tuple[int, DayRule]] = {}
        for ex in spec.exceptions:
            ivs, label = _minutes(ex.hours or []) if not ex.closed else ((), ())
            rule = DayRule("exception", ex.name or ex.date.isoformat(), ivs, label)
            if ex.yearly:
                # From its first year on; the first listed wins a tie.
                self.yearly.setdefault((ex.date.month, ex.date.day), (ex.date.year, rule))
            else:
                self.one_off.setdefault(ex.date, rule)
        self.holidays = (spec.holidays.country, spec.holidays.subdiv) if spec.holidays else None
        self._day_cache: dict[dt.date, DayRule] = {}

    def rule_for(self, day: dt.date) -> DayRule:
        hit = self._day_cache.get(day)
        if hit is not None:
            return hit
        rule = self._compute(day)
        if len(self._day_cache) > 4096:  # long searches must not grow it without bound
            self._day_cache.clear()
        self._day_cache[day] = rule
        return rule

    def _compute(self, day: dt.date) -> DayRule:
        if day in self.one_off:
            return self.one_off[day]
        yearly = self.yearly.get((day.month, day.day))
        if yearly is not None and day.year >= yearly[0]:
            return yearly[1]
        if self.holidays is not None:
            name = _holiday(self.holidays[0], self.holidays[1], day)
            if name:
                return DayRule("holiday", name, ())
        return self.weekly[day.weekday()]


_compiled: dict[int, tuple[weakref.ref, CompiledHours]] = {}
_compiled_lock = threading.RLock()  # a weakref callback may fire while held


def compiled(spec: HoursSpec) -> CompiledHours:
    """The compiled form of a spec, built once per spec object (the config view keeps
    its specs for as long as it is cached)."""
    key = id(spec)
    hit = _compiled.get(key)
    if hit is not None and hit[0]() is spec:
        return hit[1]
    c = CompiledHours(spec)

    def _gone(ref: weakref.ref, k: int = key) -> None:
        with _compiled_lock:
            cur = _compiled.get(k)
            if cur is not None and cur[0] is ref:  # not a newer spec that reused the id
                del _compiled[k]

    with _compiled_lock:
        _compiled[key] = (weakref.ref(spec, _gone), c)
    return c


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
