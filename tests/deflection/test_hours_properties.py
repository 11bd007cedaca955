"""Property tests: core.hours against the minute-by-minute reference model.

Windows of one to three days are centred on real DST transitions (and other offset
changes) of many zones, with random weekly intervals (many crossing midnight or sitting
in the hours clocks change), dated exceptions and holiday calendars. Examples are bounded
so the module runs in seconds.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.config.schema.hours import HoursSpec
from core.hours import explain, is_open, next_close, next_open, open_intervals, open_slots
from tests.deflection.hours_reference import DAYS, open_minutes, ref_is_open

UTC = dt.UTC
ZONES = [
    "America/New_York",
    "America/Los_Angeles",
    "America/St_Johns",
    "America/Santiago",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Dublin",
    "Europe/Moscow",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Apia",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tehran",
    "Africa/Casablanca",
    "Antarctica/Troll",
    "UTC",
]


@cache
def transitions(tz: str, year: int) -> list[dt.datetime]:
    """Hours in the year after which the offset differs (found independently, hourly)."""
    z = ZoneInfo(tz)
    out = []
    t = dt.datetime(year, 1, 1, tzinfo=UTC)
    prev = t.astimezone(z).utcoffset()
    while t.year == year:
        t += dt.timedelta(hours=1)
        off = t.astimezone(z).utcoffset()
        if off != prev:
            out.append(t)
            prev = off
    return out


# Boundaries favour the small hours (where clocks change) and midnight.
minute_marks = st.one_of(
    st.integers(0, 5 * 4).map(lambda q: q * 15),  # 00:00-05:00 by quarter hours
    st.integers(0, 47).map(lambda h: h * 30),
)


@st.composite
def interval(draw: Any) -> str:
    a = draw(minute_marks)
    b = draw(st.one_of(minute_marks, st.just(1440)))
    if b == a or (b == 1440 and a == 0 and draw(st.booleans())):
        b = (a + 90) % 1440
    if b == a:
        b = a + 30
    return f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}"


@st.composite
def scenario(draw: Any) -> tuple[dict[str, Any], str, dt.datetime, int]:
    tz = draw(st.sampled_from(ZONES))
    year = draw(st.integers(2005, 2035))
    ts = transitions(tz, year)
    if ts and draw(st.integers(0, 9)) > 0:
        anchor = draw(st.sampled_from(ts))
    else:
        anchor = dt.datetime(year, 1, 1, tzinfo=UTC) + dt.timedelta(
            hours=draw(st.integers(0, 364 * 24))
        )
    start = anchor - dt.timedelta(minutes=draw(st.integers(0, 36 * 60)))
    start = start.replace(second=0, microsecond=0)
    minutes = draw(st.integers(24 * 60, 72 * 60))
    weekly = {d: draw(st.lists(interval(), max_size=2)) for d in DAYS}
    local_day = start.astimezone(ZoneInfo(tz)).date()
    exceptions = []
    for _ in range(draw(st.integers(0, 2))):
        day = local_day + dt.timedelta(days=draw(st.integers(-1, 3)))
        yearly = draw(st.booleans())
        if yearly:
            day = (
                day.replace(year=day.year - draw(st.integers(0, 2)))
                if not (day.month == 2 and day.day == 29)
                else day
            )
        ex: dict[str, Any] = {"date": day.isoformat(), "yearly": yearly, "name": f"ex{_}"}
        if draw(st.booleans()):
            ex["closed"] = True
        else:
            ex["hours"] = draw(st.lists(interval(), min_size=1, max_size=2))
        exceptions.append(ex)
    spec: dict[str, Any] = {"weekly": weekly, "exceptions": exceptions}
    if draw(st.integers(0, 4)) == 0:
        spec["holidays"] = draw(
            st.sampled_from(
                [{"country": "US"}, {"country": "GB"}, {"country": "DE", "subdiv": "BY"}]
            )
        )
    if draw(st.integers(0, 19)) == 0:
        spec = {"always_open": True}
    return spec, tz, start, minutes


def covered_minutes(
    ivs: list[tuple[dt.datetime, dt.datetime]], start: dt.datetime, minutes: int
) -> list[bool]:
    out = [False] * minutes
    for a, b in ivs:
        i0 = int((a - start).total_seconds() // 60)
        i1 = int(-(-(b - start).total_seconds() // 60))
        for i in range(max(i0, 0), min(i1, minutes)):
            out[i] = True
    return out


PROFILE = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@PROFILE
@given(scenario())
def test_is_open_and_intervals_match_the_reference(case: Any) -> None:
    raw, tz, start, minutes = case
    spec = HoursSpec.model_validate(raw)
    expected = open_minutes(raw, tz, start, minutes)
    got = [is_open(spec, tz, start + dt.timedelta(minutes=i)) for i in range(minutes)]
    assert got == expected
    end = start + dt.timedelta(minutes=minutes)
    ivs = open_intervals(spec, tz, start, end)
    # Merged, ordered, inside the window, and covering exactly the open minutes.
    assert all(a < b for a, b in ivs)
    assert all(ivs[i][1] < ivs[i + 1][0] for i in range(len(ivs) - 1))
    assert all(start <= a and b <= end for a, b in ivs)
    assert covered_minutes(ivs, start, minutes) == expected
    # explain agrees with is_open at a few instants.
    for i in range(0, minutes, 397):
        at = start + dt.timedelta(minutes=i)
        assert explain(spec, tz, at).open == expected[i]


@PROFILE
@given(scenario(), st.data())
def test_next_open_close_and_slots_match_the_reference(case: Any, data: Any) -> None:
    raw, tz, start, minutes = case
    spec = HoursSpec.model_validate(raw)
    expected = open_minutes(raw, tz, start, minutes)
    i = data.draw(st.integers(0, minutes // 2))
    at = start + dt.timedelta(minutes=i)
    nxt_open = next_open(spec, tz, at)
    nxt_close = next_close(spec, tz, at)
    first_open = next((j for j in range(i, minutes) if expected[j]), None)
    first_closed = next((j for j in range(i, minutes) if not expected[j]), None)
    if first_open is not None:
        assert nxt_open == start + dt.timedelta(minutes=first_open)
    else:
        assert nxt_open is None or nxt_open >= start + dt.timedelta(minutes=minutes)
    if first_closed is not None:
        assert nxt_close == start + dt.timedelta(minutes=first_closed)
    else:
        assert nxt_close is None or nxt_close >= start + dt.timedelta(minutes=minutes)
    length = data.draw(st.sampled_from([15, 30, 45, 60]))
    end = start + dt.timedelta(minutes=minutes)
    slots = open_slots(spec, tz, at, end, length)
    for a, b in slots:
        assert b - a == dt.timedelta(minutes=length) and at <= a and b <= end
        j0 = int((a - start).total_seconds() // 60)
        assert all(expected[j0 : j0 + length]), (a, b)
    assert all(slots[k][1] <= slots[k + 1][0] for k in range(len(slots) - 1))
    # Every open stretch long enough holds at least one slot.
    run = 0
    for j in range(i, minutes):
        run = run + 1 if expected[j] else 0
        if run >= 2 * length:
            assert slots, "an open stretch of two slot lengths yielded no slot"
            break


def test_reference_model_agrees_on_a_known_dst_night() -> None:
    raw = {"weekly": {"sun": ["01:00-03:00"]}}
    start = dt.datetime(2026, 3, 8, 5, tzinfo=UTC)  # New York springs forward at 07:00Z
    assert sum(open_minutes(raw, "America/New_York", start, 180)) == 60
    assert ref_is_open(raw, "America/New_York", dt.datetime(2026, 3, 8, 6, 59, tzinfo=UTC))
