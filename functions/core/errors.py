"""One error model: a 4xx JSON body that names the field and the problem."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - imported where a model is validated
    from pydantic import ValidationError


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            err["field"] = self.field
        if self.errors:
            err["errors"] = self.errors
        return {"error": err}


def bad_request(field: str, problem: str) -> ApiError:
    return ApiError(
        400,
        "invalid_field",
        f"{field}: {problem}",
        field=field,
        errors=[{"field": field, "problem": problem}],
    )


def invalid_fields(problems: Iterable[tuple[str, str]]) -> ApiError:
    """400 naming every (field, problem); the first one leads the message."""
    errors = [{"field": f, "problem": p} for f, p in problems]
    first = errors[0] if errors else {"field": "body", "problem": "invalid"}
    return ApiError(
        400,
        "invalid_field",
        f"{first['field']}: {first['problem']}",
        field=first["field"],
        errors=errors,
    )


def unauthorized(
    message: str = "authentication required", *, challenge: str | None = None
) -> ApiError:
    headers = {"WWW-Authenticate": challenge} if challenge else {}
    return ApiError(401, "unauthorized", message, headers=headers)


def forbidden(message: str = "not allowed") -> ApiError:
    return ApiError(403, "forbidden", message)


def not_found(what: str = "resource") -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")


def conflict(message: str) -> ApiError:
    return ApiError(409, "conflict", message)


def too_many(retry_after: int) -> ApiError:
    return ApiError(
        429, "rate_limited", "too many requests", headers={"Retry-After": str(retry_after)}
    )


def _loc(loc: tuple[Any, ...], prefix: str) -> str:
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "body"


def from_validation(exc: ValidationError, prefix: str = "") -> ApiError:
    problems = []
    for e in exc.errors():
        problem = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            problem = "unknown field"
        problems.append((_loc(tuple(e["loc"]), prefix), problem))
    return invalid_fields(problems)
