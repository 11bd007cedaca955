"""Every per-process cache registers here, so one `reset()` forgets them all.

A warm instance keeps clients, settings, the config view and fetched certificates for its
life. Tests point one process at another environment (a fresh suite, a changed variable)
and must not see what an earlier case cached; piecemeal resets forget one cache or another.
A cache registers where it is defined: `@cached` for a function memo, `on_reset` for
anything else (a dict, a token, a global).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])

_lock = threading.Lock()
_resets: dict[str, Callable[[], None]] = {}


def _name(fn: Callable[..., Any]) -> str:
    # By name, so a module imported again replaces its registration instead of adding one.
    return f"{getattr(fn, '__module__', None)}.{getattr(fn, '__qualname__', id(fn))}"


def on_reset(fn: F) -> F:
    """Register `fn` (no arguments) to run on every reset; returns it unchanged."""
    with _lock:
        _resets[_name(fn)] = fn
    return fn


def cached(fn: F) -> F:
    """`functools.cache`, forgotten by `reset()`."""
    memo = functools.cache(fn)
    with _lock:
        _resets[_name(fn)] = memo.cache_clear
    return cast(F, memo)


def reset() -> None:
    """Forget every registered cache (modules not imported yet have nothing cached)."""
    with _lock:
        fns = list(_resets.values())
    for fn in fns:
        fn()


def registered() -> list[str]:
    """Names of the registered resets (tests check that a cache is among them)."""
    with _lock:
        return sorted(_resets)
