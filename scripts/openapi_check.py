"""Build the OpenAPI 3.1 description of every HTTP function from the route table and the
pydantic models, and write it to docs/openapi/ or check the committed files.

    .venv/bin/python scripts/openapi_check.py          # check: exit 1 if stale or drifted
    .venv/bin/python scripts/openapi_check.py --write  # regenerate docs/openapi/*.yaml
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions"), str(ROOT / "scripts")]

import yaml  # noqa: E402
from openapi_routes import AUTH, ROUTES, Route, http_functions, router_routes  # noqa: E402

OUT = ROOT / "docs" / "openapi"
REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"<(?:[a-z]+:)?([A-Za-z_][A-Za-z0-9_]*)>")

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"field": {"type": "string"}, "problem": {"type": "string"}},
                    },
                },
            },
        }
    },
}
FORM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Carrier webhook parameters as Twilio sends them (CallSid, From, To, "
    "CallStatus, RecordingSid, ...); the signature covers every one.",
    "additionalProperties": {"type": "string"},
}


def openapi_path(rule: str) -> str:
    return _PARAM.sub(r"{\1}", rule)


def _model(ref: str) -> Any:
    if ref.startswith("notifications:"):
        from core.config.schema.notifications import CenterNotifications, QueueNotifications

        return CenterNotifications if ref.endswith(":center") else QueueNotifications
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


class Components:
    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
        self.owners: dict[str, str] = {"Error": "core.errors"}

    def add(self, model: Any) -> dict[str, Any]:
        """The model's schema (refs into components); nested models become components."""
        schema = model.model_json_schema(ref_template=REF, mode="validation")
        for name, sub in schema.pop("$defs", {}).items():
            self._put(name, sub, f"{model.__module__}:{name}")
        self._put(model.__name__, schema, f"{model.__module__}:{model.__name__}")
        return {"$ref": REF.format(model=model.__name__)}

    def _put(self, name: str, schema: dict[str, Any], owner: str) -> None:
        if name in self.schemas and self.schemas[name] != schema:
            raise SystemExit(
                f"two different schemas named {name} ({self.owners[name]}, {owner}); rename one"
            )
        self.schemas[name], self.owners[name] = schema, owner

    def inline(self, model: Any) -> dict[str, Any]:
        schema = model.model_json_schema(ref_template=REF, mode="validation")
        for name, sub in schema.pop("$defs", {}).items():
            self._put(name, sub, f"{model.__module__}:{name}")
        return schema


def _string_param(name: str, where: str = "query", required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "schema": {"type": "string"}}


def _query_schema(prop: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent or a string: drop null branches, defaults and titles."""
    prop = {k: v for k, v in prop.items() if k not in ("title", "default")}
    branches = [b for b in prop.get("anyOf", []) if b != {"type": "null"}]
    if "anyOf" in prop and len(branches) == 1:
        rest = {k: v for k, v in prop.items() if k != "anyOf"}
        prop = {**branches[0], **rest}
    return prop


def operation(fn: str, r: Route, comp: Components) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": f"{fn}.{r.method.lower()}.{openapi_path(r.path)}",
        "summary": r.summary,
        "x-json-api": r.json_api,
        "x-caller": r.auth,
    }
    params = [
        {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
        for n in _PARAM.findall(r.path)
    ]
    if r.query:
        schema = comp.inline(_model(r.query))
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            prop = _query_schema(prop)
            params.append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    params += [_string_param(n) for n in r.params]
    params += [_string_param(h, "header") for h in r.headers]
    if params:
        op["parameters"] = params
    if AUTH[r.auth] is not None:
        op["security"] = [{r.auth: []}]
    else:
        op["security"] = []
    if r.body == "form":
        op["requestBody"] = {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": FORM_SCHEMA}},
        }
    elif r.body == "binary":
        op["requestBody"] = {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    elif r.body == "json":
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    elif r.body:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": comp.add(_model(r.body))}},
        }
    ok_content: dict[str, Any]
    if r.produces == "application/json":
        ok_content = {"application/json": {"schema": {"type": "object"}}}
    elif r.produces.startswith(("audio/", "application/octet-stream")):
        ok_content = {r.produces: {"schema": {"type": "string", "format": "binary"}}}
    else:
        ok_content = {r.produces: {"schema": {"type": "string"}}}
    responses: dict[str, Any] = {}
    for code in r.ok:
        if code == 204:
            responses[str(code)] = {"description": "no content"}
        elif code == 304:
            responses[str(code)] = {"description": "not modified since the If-None-Match ETag"}
        else:
            responses[str(code)] = {"description": "success", "content": ok_content}
    if r.limited:
        responses["429"] = {
            "description": f"rate limited ({r.limited}); nothing was written",
            "headers": {
                "Retry-After": {
                    "description": "seconds until the window ends",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1},
                }
            },
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    responses["4XX"] = {
        "description": "refused: the error names the field and the problem",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    op["responses"] = responses
    return op


def build(fn: str) -> dict[str, Any]:
    comp = Components()
    paths: dict[str, Any] = {}
    for r in ROUTES[fn]:
        paths.setdefault(openapi_path(r.path), {})[r.method.lower()] = operation(fn, r, comp)
    used = sorted({r.auth for r in ROUTES[fn] if AUTH[r.auth] is not None})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": fn,
            "version": "1",
            "description": "Generated by scripts/openapi_check.py from "
            "scripts/openapi_routes.py and the pydantic models; "
            "do not edit by hand.",
        },
        "servers": [
            {"url": "http://127.0.0.1:8080", "description": f"{fn} served by functions-framework"}
        ],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(comp.schemas.items())),
            "securitySchemes": {k: AUTH[k] for k in used},
        },
    }


def render(fn: str) -> str:
    return yaml.safe_dump(build(fn), sort_keys=False, allow_unicode=True, width=100)


def drift(fn: str) -> list[str]:
    """Routes served but not described, or described but not served."""
    served = set(router_routes(fn))
    described = {(r.method, r.path) for r in ROUTES.get(fn, ())}
    return [f"{fn}: {m} {p} is served but not described" for m, p in sorted(served - described)] + [
        f"{fn}: {m} {p} is described but not served" for m, p in sorted(described - served)
    ]


def problems() -> list[str]:
    out: list[str] = []
    fns = http_functions()
    out += [f"{fn}: no routes in scripts/openapi_routes.py" for fn in fns if fn not in ROUTES]
    out += [f"{fn}: described but not an HTTP entry point" for fn in ROUTES if fn not in fns]
    for fn in fns:
        if fn not in ROUTES:
            continue
        out += drift(fn)
        path = OUT / f"{fn}.yaml"
        if not path.exists() or path.read_text() != render(fn):
            out.append(f"{path.relative_to(ROOT)} is stale: run scripts/openapi_check.py --write")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="regenerate docs/openapi/*.yaml")
    args = ap.parse_args()
    if args.write:
        OUT.mkdir(parents=True, exist_ok=True)
        for fn in ROUTES:
            (OUT / f"{fn}.yaml").write_text(render(fn))
    found = problems()
    for p in found:
        print(p, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
