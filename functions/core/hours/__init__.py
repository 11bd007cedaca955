"""Operating-hours engine: is it open at an instant, why, when next, and open slots.

Shared by every function: `from core.hours import is_open, explain, next_open, ...`.
"""

from core.hours.engine import (
    Decision,
    explain,
    is_open,
    next_close,
    next_open,
    open_intervals,
    open_slots,
    zone_of,
)

__all__ = [
    "Decision",
    "explain",
    "is_open",
    "next_close",
    "next_open",
    "open_intervals",
    "open_slots",
    "zone_of",
]
