"""A holiday calendar loads only its own country's module (the rest of `holidays` stays
out of the function's memory), with the same dates and the same refusals as the package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"

PROBE = """
import datetime as dt, sys
from core.config.schema.hours import HoursSpec
from core.hours.rules import holiday_names

HoursSpec.model_validate({"holidays": {"country": "US", "subdiv": "NY"}})
names = holiday_names("US", "NY", 2026)
assert names[dt.date(2026, 7, 3)] == "Independence Day (observed)", names
loaded = sorted(m for m in sys.modules if m.startswith("holidays.countries."))
assert loaded == ["holidays.countries.united_states"], loaded
"""


def test_only_the_configured_country_is_imported() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=FUNCTIONS,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_same_dates_as_the_package() -> None:
    import holidays

    from core.hours.holiday_calendars import country_holidays

    for country, subdiv in (("US", "NY"), ("FR", None), ("AS", None), ("GB", "SCT")):
        ours = dict(country_holidays(country, subdiv=subdiv, years=2026).items())
        theirs = dict(holidays.country_holidays(country, subdiv=subdiv, years=2026).items())
        assert ours == theirs and ours


@pytest.mark.parametrize(
    ("country", "subdiv"), [("XX", None), ("US", "ZZ")], ids=["country", "subdivision"]
)
def test_unknown_calendar_is_refused(country: str, subdiv: str | None) -> None:
    from pydantic import ValidationError

    from core.config.schema.hours import HoursSpec

    with pytest.raises(ValidationError, match="holidays"):
        HoursSpec.model_validate({"holidays": {"country": country, "subdiv": subdiv}})
