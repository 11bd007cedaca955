"""Public holiday calendars from the `holidays` package, loading only the country asked for.

holidays' registry loads each country lazily by its module path, but importing any one
of them first runs `holidays/countries/__init__.py`, which imports all ~250 countries
(about 9 MiB in every function that reads the config, whose validator checks the country).
Before the first country is loaded we register that package bare (its path, without the
re-exports); the registry then imports just the country's own module, as it intends.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Iterable
from typing import Any

_PACKAGE = "holidays.countries"
_lock = threading.Lock()


def _bare_countries_package() -> None:
    if _PACKAGE in sys.modules:
        return
    with _lock:
        if _PACKAGE in sys.modules:
            return
        import holidays

        spec = importlib.util.find_spec(_PACKAGE)
        if spec is None or spec.submodule_search_locations is None:  # pragma: no cover
            return  # a layout we do not know: let the package import itself
        package = importlib.util.module_from_spec(spec)  # its __path__, not executed
        sys.modules[_PACKAGE] = package
        holidays.countries = package


def country_holidays(
    country: str, subdiv: str | None = None, years: Iterable[int] | int | None = None
) -> Any:
    """`holidays.country_holidays`, importing only this country's module."""
    _bare_countries_package()
    import holidays

    return holidays.country_holidays(country, subdiv=subdiv, years=years)
