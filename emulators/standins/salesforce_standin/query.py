"""`query?q=` [query]: the SOQL subset of `soql.py` over the stored records."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from emulators.standins.common import faultable
from emulators.standins.salesforce_standin.soql import SoqlError, field_equals, parse_soql
from emulators.standins.salesforce_standin.state import state
from emulators.standins.salesforce_standin.wire import (
    CONTENT_VERSION_FIELDS,
    check_version,
    sf_error,
)

bp = Blueprint("salesforce_query", __name__)


@bp.get("/services/data/<version>/query")
@bp.get("/services/data/<version>/query/")
@faultable("query")
def query(version: str) -> Response:
    s = state()
    if (bad := check_version(version)) is not None:
        return bad
    q = request.args.get("q", "")
    try:
        parsed = parse_soql(q)
    except SoqlError as exc:
        return sf_error(400, "MALFORMED_QUERY", str(exc))
    if parsed.obj == "ContentVersion":
        for f in parsed.fields + [c[0] for c in parsed.conditions]:
            if f not in CONTENT_VERSION_FIELDS:
                return sf_error(
                    400, "INVALID_FIELD", f"No such column '{f}' on entity 'ContentVersion'"
                )
    with s.lock:
        rows = list(s.records.get(parsed.obj, {}).values())
        selected = []
        for rec in rows:
            ok = True
            for field, op, value in parsed.conditions:
                stored = rec.get(field)
                if op == "IN":
                    hit = any(field_equals(field, stored, v) for v in value)
                else:
                    hit = field_equals(field, stored, value)
                if (op == "!=") == hit:
                    ok = False
                    break
            if ok:
                selected.append(rec)
        if parsed.order:
            key = parsed.order
            selected.sort(
                key=lambda r: (r.get(key) is None, str(r.get(key))), reverse=parsed.descending
            )
        if parsed.limit is not None:
            selected = selected[: parsed.limit]
        out = []
        for rec in selected:
            item: dict[str, Any] = {
                "attributes": {
                    "type": parsed.obj,
                    "url": f"/services/data/{version}/sobjects/{parsed.obj}/{rec['Id']}",
                }
            }
            for f in parsed.fields:
                item[f] = rec.get(f)
            out.append(item)
    return jsonify({"totalSize": len(out), "done": True, "records": out})
