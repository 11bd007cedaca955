"""How a CRM call failed, so callers can decide: retry later, or give up."""

from __future__ import annotations

from typing import Any


class CrmError(Exception):
    """Base class."""


class RateLimited(CrmError):
    """The CRM's API limit: retry after `retry_after` seconds (None: not told)."""

    def __init__(self, retry_after: float | None, message: str = "rate limited") -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @classmethod
    def from_response(cls, resp: Any, message: str) -> RateLimited:
        """From a 429 / limit answer: its Retry-After seconds, if it gave a number."""
        raw = resp.headers.get("Retry-After")
        try:
            after = max(0.0, float(raw)) if raw is not None else None
        except ValueError:
            after = None
        return cls(after, message)


class Transient(CrmError):
    """5xx, timeout, connection reset, or an answer that never arrived: the outcome is
    unknown, so the caller must check before repeating a non-idempotent write."""


class Permanent(CrmError):
    """4xx other than a rate limit: retrying the same request will not help."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


class TooLarge(Permanent):
    """The CRM refused the size; the caller splits the file."""
