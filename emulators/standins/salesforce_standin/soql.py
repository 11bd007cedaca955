"""The SOQL subset the stand-in answers: SELECT f, ... FROM Obj [WHERE f = 'v' [AND f != 'v' |
f IN ('a', 'b')]] [ORDER BY f [ASC|DESC]] [LIMIT n]."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from emulators.standins.salesforce_standin.wire import id_key

_SOQL_RE = re.compile(
    r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<obj>\w+)"
    r"(?:\s+WHERE\s+(?P<where>.+?))?"
    r"(?:\s+ORDER\s+BY\s+(?P<order>\w+)(?:\s+(?P<dir>ASC|DESC))?)?"
    r"(?:\s+LIMIT\s+(?P<limit>\d+))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_VALUE = r"'(?:[^'\\]|\\.)*'|[\w.+-]+"
_COND_RE = re.compile(
    rf"^\s*(?P<field>\w+)\s*(?P<op>=|!=|IN)\s*(?P<value>{_VALUE}|\((?:\s*(?:{_VALUE})\s*,?)+\))\s*$",
    re.IGNORECASE,
)


class SoqlError(ValueError):
    """A query outside the supported subset."""


def _literal(token: str) -> Any:
    token = token.strip()
    if token.startswith("'"):
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    low = token.lower()
    if low == "null":
        return None
    if low in ("true", "false"):
        return low == "true"
    try:
        return int(token)
    except ValueError:
        try:
            return float(token)
        except ValueError:
            return token


@dataclass
class Query:
    fields: list[str]
    obj: str
    conditions: list[tuple[str, str, Any]]
    order: str | None
    descending: bool
    limit: int | None


def parse_soql(q: str) -> Query:
    """Parse the supported SOQL subset or raise SoqlError."""
    m = _SOQL_RE.match(q)
    if not m:
        raise SoqlError("unexpected token: query not understood")
    fields = [f.strip() for f in m.group("fields").split(",") if f.strip()]
    conditions: list[tuple[str, str, Any]] = []
    if m.group("where"):
        parts = re.split(r"\s+AND\s+(?=(?:[^']*'[^']*')*[^']*$)", m.group("where"), flags=re.I)
        for part in parts:
            c = _COND_RE.match(part)
            if not c:
                raise SoqlError(f"unexpected token in WHERE: {part.strip()!r}")
            op = c.group("op").upper()
            raw = c.group("value")
            value: Any = (
                [_literal(v) for v in re.findall(_VALUE, raw[1:-1])]
                if op == "IN"
                else _literal(raw)
            )
            conditions.append((c.group("field"), op, value))
    return Query(
        fields=fields,
        obj=m.group("obj"),
        conditions=conditions,
        order=m.group("order"),
        descending=(m.group("dir") or "").upper() == "DESC",
        limit=int(m.group("limit")) if m.group("limit") else None,
    )


def field_equals(field: str, stored: Any, wanted: Any) -> bool:
    if field.endswith("Id") or field == "Id":
        if isinstance(stored, str) and isinstance(wanted, str):
            return id_key(stored) == id_key(wanted)
    return bool(stored == wanted)
