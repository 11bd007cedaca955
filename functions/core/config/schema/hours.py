"""Operating hours: weekly intervals in an IANA zone plus dated exceptions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, model_validator

from core.config.schema.common import Channel, Ident, Strict

_INTERVAL = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _check_interval(v: str) -> str:
    m = _INTERVAL.match(v)
    if not m:
        raise ValueError("must look like 09:00-17:30 (24-hour HH:MM-HH:MM)")
    h1, m1, h2, m2 = (int(x) for x in m.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
        raise ValueError("hours 00-23 (24:00 allowed as an end), minutes 00-59")
    if (h1, m1) == (h2, m2):
        raise ValueError("start and end are equal; use 00:00-24:00 for a whole day")
    return v


def _check_zone(v: str) -> str:
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {v!r}") from exc
    return v


Interval = Annotated[str, AfterValidator(_check_interval)]
TimeZone = Annotated[str, AfterValidator(_check_zone)]


def parse_interval(v: str) -> tuple[int, int]:
    """'22:00-02:00' -> (1320, 120): minutes from local midnight; end <= start crosses midnight."""
    m = _INTERVAL.match(v)
    assert m, v
    h1, m1, h2, m2 = (int(x) for x in m.groups())
    return h1 * 60 + m1, h2 * 60 + m2


class WeeklyHours(Strict):
    mon: list[Interval] = Field(default_factory=list)
    tue: list[Interval] = Field(default_factory=list)
    wed: list[Interval] = Field(default_factory=list)
    thu: list[Interval] = Field(default_factory=list)
    fri: list[Interval] = Field(default_factory=list)
    sat: list[Interval] = Field(default_factory=list)
    sun: list[Interval] = Field(default_factory=list)

    def for_weekday(self, weekday: int) -> list[str]:
        return getattr(self, WEEKDAYS[weekday])


class DatedException(Strict):
    """A holiday, half day or special opening. `yearly` repeats it on the same month/day."""

    date: dt.date
    name: str = ""
    yearly: bool = False
    closed: bool = False
    hours: list[Interval] | None = None

    @model_validator(mode="after")
    def _closed_or_hours(self) -> DatedException:
        if self.closed == (self.hours is not None):
            raise ValueError("set exactly one of `closed: true` or `hours: [...]`")
        return self


class HolidayCalendar(Strict):
    """Public holidays from the `holidays` package count as closed all day."""

    country: str = Field(min_length=2, max_length=3)
    subdiv: str | None = None


class HoursSpec(Strict):
    timezone: TimeZone | None = None  # defaults to the contact center's zone
    always_open: bool = False
    weekly: WeeklyHours = Field(default_factory=WeeklyHours)
    exceptions: list[DatedException] = Field(default_factory=list)
    holidays: HolidayCalendar | None = None

    @model_validator(mode="after")
    def _holiday_country_known(self) -> HoursSpec:
        if self.holidays is not None:
            from core.hours.holiday_calendars import country_holidays

            try:
                country_holidays(self.holidays.country, subdiv=self.holidays.subdiv)
            except NotImplementedError as exc:
                raise ValueError(f"holidays: {exc}") from exc
        return self


class HoursSelection(Strict):
    """Which schedule applies; the most specific entry wins (channel+language, channel,
    language, default), then the parent queue, then the contact center."""

    default: Ident | None = None
    channels: dict[Channel, Ident] = Field(default_factory=dict)
    languages: dict[str, Ident] = Field(default_factory=dict)
    # keys "voice:es-US"
    channel_languages: dict[str, Ident] = Field(default_factory=dict)

    def referenced(self) -> list[tuple[str, str]]:
        refs = [("default", self.default)] if self.default else []
        refs += [(f"channels.{k}", v) for k, v in self.channels.items()]
        refs += [(f"languages.{k}", v) for k, v in self.languages.items()]
        refs += [(f"channel_languages.{k}", v) for k, v in self.channel_languages.items()]
        return refs
