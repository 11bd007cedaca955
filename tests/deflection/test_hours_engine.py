"""core.hours on hand-picked cases: DST nights, exceptions, holidays, explanations."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.config.schema.hours import HoursSpec
from core.hours import explain, is_open, next_close, next_open, open_intervals, open_slots

NY = "America/New_York"
UTC = dt.UTC


def local(y: int, mo: int, d: int, h: int, mi: int = 0, tz: str = NY, fold: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(tz), fold=fold)


def spec(**kw: object) -> HoursSpec:
    return HoursSpec.model_validate(kw)


EVERY_NIGHT = spec(
    weekly={d: ["01:00-03:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
)


def test_spring_forward_night_is_open_one_real_hour() -> None:
    day = dt.datetime(2026, 3, 8, 4, tzinfo=UTC)
    ivs = open_intervals(EVERY_NIGHT, NY, day, day + dt.timedelta(hours=6))
    assert ivs == [(dt.datetime(2026, 3, 8, 6, tzinfo=UTC), dt.datetime(2026, 3, 8, 7, tzinfo=UTC))]
    assert is_open(EVERY_NIGHT, NY, local(2026, 3, 8, 1, 59))
    assert not is_open(EVERY_NIGHT, NY, local(2026, 3, 8, 3, 0))  # the clock jumped 02:00->03:00


def test_fall_back_night_counts_the_repeated_hour_once_per_instant() -> None:
    day = dt.datetime(2026, 11, 1, 4, tzinfo=UTC)
    ivs = open_intervals(EVERY_NIGHT, NY, day, day + dt.timedelta(hours=6))
    assert ivs == [
        (dt.datetime(2026, 11, 1, 5, tzinfo=UTC), dt.datetime(2026, 11, 1, 8, tzinfo=UTC))
    ]
    assert is_open(EVERY_NIGHT, NY, local(2026, 11, 1, 1, 30, fold=0))
    assert is_open(EVERY_NIGHT, NY, local(2026, 11, 1, 1, 30, fold=1))
    slots = open_slots(EVERY_NIGHT, NY, day, day + dt.timedelta(hours=6), 30)
    assert len(slots) == 6 and len({a for a, _ in slots}) == 6  # distinct real instants


def test_interval_crossing_midnight_belongs_to_its_start_day() -> None:
    s = spec(weekly={"fri": ["22:00-02:00"]})
    assert is_open(s, NY, local(2026, 5, 15, 23))  # Friday night
    assert is_open(s, NY, local(2026, 5, 16, 1, 59))  # Saturday small hours
    assert not is_open(s, NY, local(2026, 5, 16, 2))
    assert not is_open(s, NY, local(2026, 5, 15, 1))  # Thursday's night is not Friday's
    d = explain(s, NY, local(2026, 5, 16, 1))
    assert (d.rule, d.name, d.interval, d.day) == (
        "weekly",
        "fri",
        "22:00-02:00",
        dt.date(2026, 5, 15),
    )


def test_exceptions_and_holidays_take_precedence_in_order() -> None:
    s = spec(
        weekly={d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
        holidays={"country": "US"},
        exceptions=[
            {
                "date": "2024-12-24",
                "name": "Christmas Eve",
                "yearly": True,
                "hours": ["09:00-13:00"],
            },
            {"date": "2026-12-24", "name": "Inventory", "closed": True},
            {"date": "2026-12-26", "name": "Saturday opening", "hours": ["10:00-12:00"]},
            {
                "date": "2026-07-03",
                "name": "Open on the observed holiday",
                "hours": ["09:00-12:00"],
            },
        ],
    )
    # Yearly exception from 2024 on; the one-off on 2026-12-24 beats it.
    d = explain(s, NY, local(2025, 12, 24, 12))
    assert (d.open, d.rule, d.name) == (True, "exception", "Christmas Eve")
    assert not is_open(s, NY, local(2025, 12, 24, 14))
    assert not is_open(s, NY, local(2023, 12, 22, 20))
    d = explain(s, NY, local(2026, 12, 24, 10))
    assert (d.open, d.rule, d.name) == (False, "exception", "Inventory")
    d = explain(s, NY, local(2026, 12, 25, 10))
    assert (d.open, d.rule, d.name) == (False, "holiday", "Christmas Day")
    assert is_open(s, NY, local(2026, 12, 26, 11))  # special opening on a Saturday
    assert is_open(s, NY, local(2026, 7, 3, 11))  # exception beats the holiday
    d = explain(s, NY, local(2026, 12, 27, 11))
    assert (d.open, d.rule, d.name) == (False, "no_interval", "sun")
    # next opening after Christmas closes: Monday 28th at 09:00 New York time.
    assert next_open(s, NY, local(2026, 12, 26, 12)) == local(2026, 12, 28, 9)
    assert next_close(s, NY, local(2026, 12, 28, 9, 30)) == local(2026, 12, 28, 17)


def test_schedule_zone_overrides_the_default_and_always_open() -> None:
    s = spec(timezone="Asia/Kathmandu", weekly={"mon": ["09:00-10:00"]})
    at = local(2026, 6, 1, 9, 30, tz="Asia/Kathmandu")
    assert is_open(s, NY, at) and explain(s, NY, at).timezone == "Asia/Kathmandu"
    always = spec(always_open=True)
    assert explain(always, NY, at).rule == "always_open"
    assert next_close(always, NY, at, horizon_days=30) is None
    assert next_open(spec(), NY, at, horizon_days=30) is None


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(EVERY_NIGHT, NY, dt.datetime(2026, 1, 1))


def test_slots_stay_on_the_grid_of_the_opening() -> None:
    s = spec(weekly={"mon": ["09:00-11:00"]})
    slots = open_slots(s, NY, local(2026, 6, 1, 9, 10), local(2026, 6, 2, 0), 30)
    assert [a.astimezone(ZoneInfo(NY)).strftime("%H:%M") for a, _ in slots] == [
        "09:30",
        "10:00",
        "10:30",
    ]
