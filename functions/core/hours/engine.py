"""Evaluate operating hours at real instants, with zoneinfo.

Definition: a schedule is open at instant T when T's wall-clock time in the schedule's zone
lies inside one of the local intervals (of T's local date, or of the previous date for an
interval crossing midnight). Consequences on DST nights, all decided by the zone database:
- gap (spring forward): local times that do not exist are never open; "01:00-03:00" on the
  night 02:00 jumps to 03:00 is open one real hour;
- overlap (fall back): every real instant is evaluated once; the repeated hour is open in
  both passes when its wall time is inside an interval ("01:00-03:00" is open 3 real hours).

`is_open` / `explain` only convert one instant. Ranges (`open_intervals`, `next_open`,
`next_close`, `open_slots`) split time into pieces of constant UTC offset, where wall
time is a translation of real time, so each interval maps exactly.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from core.config.schema.hours import HoursSpec
from core.hours.rules import CompiledHours, DayRule, compiled, naive_bounds, zone

UTC = dt.UTC
ONE_DAY = dt.timedelta(days=1)
SEARCH_DAYS = 400  # next_open / next_close look this far ahead, then answer None
Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Decision:
    open: bool
    rule: str  # "always_open" | "weekly" | "exception" | "holiday" | "no_interval"
    name: str  # weekday, exception name or holiday name that decided
    interval: str | None  # the interval as written, when one matched
    day: dt.date  # the local date whose rule decided
    local_time: str  # wall time at the instant, ISO with offset
    timezone: str

    def as_dict(self) -> dict[str, object]:
        return {
            "open": self.open,
            "rule": self.rule,
            "name": self.name,
            "interval": self.interval,
            "day": self.day.isoformat(),
            "local_time": self.local_time,
            "timezone": self.timezone,
        }


def _aware(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the instant must be timezone-aware")
    return at


def zone_of(spec: HoursSpec, default_tz: str) -> str:
    return spec.timezone or default_tz


# -- single instants -----------------------------------------------------------------------
def _match(c: CompiledHours, local: dt.datetime) -> tuple[DayRule, int | None, dt.date]:
    """(deciding rule, index of the matching interval or None, its date) for a wall time."""
    today = local.date()
    for day in (today, today - ONE_DAY):
        rule = c.rule_for(day)
        for i, iv in enumerate(rule.intervals):
            a, b = naive_bounds(day, iv)
            if a <= local < b:
                return rule, i, day
    return c.rule_for(today), None, today


def is_open(spec: HoursSpec, default_tz: str, at: dt.datetime) -> bool:
    c = compiled(spec)
    if c.always_open:
        return True
    local = _aware(at).astimezone(zone(zone_of(spec, default_tz))).replace(tzinfo=None)
    return _match(c, local)[1] is not None


def explain(spec: HoursSpec, default_tz: str, at: dt.datetime) -> Decision:
    """Open or closed, and which rule decided it."""
    tz = zone_of(spec, default_tz)
    aware_local = _aware(at).astimezone(zone(tz))
    local = aware_local.replace(tzinfo=None)
    c = compiled(spec)
    if c.always_open:
        return Decision(
            True, "always_open", "always open", None, local.date(), aware_local.isoformat(), tz
        )
    rule, idx, day = _match(c, local)
    if idx is not None:
        return Decision(
            True, rule.kind, rule.name, rule.label[idx], day, aware_local.isoformat(), tz
        )
    kind = rule.kind if rule.kind != "weekly" else "no_interval"
    return Decision(False, kind, rule.name, None, day, aware_local.isoformat(), tz)


# -- ranges ----------------------------------------------------------------------------------
def _offset(tz: str, t: dt.datetime) -> dt.timedelta:
    off = t.astimezone(zone(tz)).utcoffset()
    assert off is not None
    return off


@lru_cache(maxsize=1024)
def _transitions_of_year(tz: str, year: int) -> tuple[dt.datetime, ...]:
    """UTC instants in [year, year+1) where the zone's offset changes (to the second).

    Sampled every 6 hours, then bisected; no real zone changes offset twice in 6 hours.
    """
    out = []
    t = dt.datetime(year, 1, 1, tzinfo=UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=UTC)
    step = dt.timedelta(hours=6)
    prev = _offset(tz, t)
    while t < end:
        nxt = min(t + step, end)
        off = _offset(tz, nxt)
        if off != prev:
            lo, hi = t, nxt  # offset(lo) == prev, offset(hi) != prev
            while hi - lo > dt.timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                if mid <= lo:
                    break
                if _offset(tz, mid) == prev:
                    lo = mid
                else:
                    hi = mid
            out.append(hi)
            prev = off
        t = nxt
    return tuple(out)


def offset_pieces(
    tz: str, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime, dt.timedelta]]:
    """[start, end) cut where the UTC offset changes: (piece start, piece end, offset)."""
    cuts: list[dt.datetime] = []
    for year in range(start.year - 1, end.year + 1):
        ts = _transitions_of_year(tz, year)
        lo = bisect.bisect_right(ts, start)
        hi = bisect.bisect_left(ts, end)
        cuts.extend(ts[lo:hi])
    bounds = [start, *sorted(set(cuts)), end]
    return [(a, b, _offset(tz, a)) for a, b in zip(bounds, bounds[1:], strict=False) if a < b]


def open_intervals(
    spec: HoursSpec, default_tz: str, start: dt.datetime, end: dt.datetime
) -> list[Interval]:
    """Merged real-time intervals [a, b) (UTC) when the schedule is open within [start, end)."""
    start = _aware(start).astimezone(UTC)
    end = _aware(end).astimezone(UTC)
    if end <= start:
        return []
    c = compiled(spec)
    if c.always_open:
        return [(start, end)]
    tz = zone_of(spec, default_tz)
    pieces = offset_pieces(tz, start, end)
    first_local = (start + min(p[2] for p in pieces)).date() - ONE_DAY
    last_local = (end + max(p[2] for p in pieces)).date()
    naive: list[tuple[dt.datetime, dt.datetime]] = []
    day = first_local
    while day <= last_local:
        for iv in c.rule_for(day).intervals:
            naive.append(naive_bounds(day, iv))
        day += ONE_DAY
    raw: list[Interval] = []
    for p0, p1, off in pieces:
        for a, b in naive:
            ra = (a - off).replace(tzinfo=UTC)
            rb = (b - off).replace(tzinfo=UTC)
            lo, hi = max(ra, p0), min(rb, p1)
            if lo < hi:
                raw.append((lo, hi))
    raw.sort()
    merged: list[Interval] = []
    for a, b in raw:
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _scan(
    spec: HoursSpec, default_tz: str, at: dt.datetime, want_open: bool, horizon_days: int
) -> dt.datetime | None:
    at = _aware(at).astimezone(UTC)
    chunk = dt.timedelta(days=14)
    t = at
    limit = at + dt.timedelta(days=horizon_days)
    while t < limit:
        end = min(t + chunk, limit)
        ivs = open_intervals(spec, default_tz, t, end)
        if want_open:
            if ivs:
                return ivs[0][0]
        else:
            if not ivs or ivs[0][0] > t:
                return t
            if ivs[0][1] < end:
                return ivs[0][1]
        t = end
    return None


def next_open(
    spec: HoursSpec, default_tz: str, at: dt.datetime, horizon_days: int = SEARCH_DAYS
) -> dt.datetime | None:
    """The first instant >= at when it is open (`at` itself when open now); None if it
    stays closed for `horizon_days`."""
    return _scan(spec, default_tz, at, True, horizon_days)


def next_close(
    spec: HoursSpec, default_tz: str, at: dt.datetime, horizon_days: int = SEARCH_DAYS
) -> dt.datetime | None:
    """The first instant >= at when it is closed (`at` itself when closed now); None if it
    stays open for `horizon_days` (e.g. always open)."""
    return _scan(spec, default_tz, at, False, horizon_days)


def open_slots(
    spec: HoursSpec,
    default_tz: str,
    start: dt.datetime,
    end: dt.datetime,
    length_minutes: int,
    limit: int = 1000,
) -> list[Interval]:
    """Slots of `length_minutes` fully inside open time within [start, end).

    Slots are laid from the beginning of each open period (09:00, 09:30, ...), so they
    stay on the same grid whatever `start` is; a slot cut short by closing is dropped.
    """
    if length_minutes <= 0:
        raise ValueError("length_minutes must be positive")
    start = _aware(start).astimezone(UTC)
    length = dt.timedelta(minutes=length_minutes)
    # Look back one day so a period that began before `start` keeps its grid.
    out: list[Interval] = []
    for a, b in open_intervals(spec, default_tz, start - ONE_DAY, end):
        t = a
        if t < start:
            steps = -(-(start - t) // length)  # ceiling division of timedeltas
            t = t + steps * length
        while t + length <= b and t + length <= _aware(end).astimezone(UTC):
            out.append((t, t + length))
            if len(out) >= limit:
                return out
            t += length
    return out
