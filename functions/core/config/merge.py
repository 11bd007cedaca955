"""Deep merge used for settings inherited parent -> child unless overridden."""

from __future__ import annotations

from typing import Any


def deep_merge(base: dict[str, Any], override: dict[str, Any] | None) -> dict[str, Any]:
    """Return base with override's non-None values laid on top, recursively.

    None means "not set here, inherit"; lists replace wholesale (a queue listing options
    means exactly those options).
    """
    out = dict(base)
    for key, value in (override or {}).items():
        if value is None:
            continue
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out
