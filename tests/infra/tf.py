"""Offline view of infra/*.tf: parsed with python-hcl2 (terraform cannot fetch providers here)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
FUNCTIONS = ROOT / "functions"

_OPTIONS = hcl2.SerializationOptions(
    strip_string_quotes=True, explicit_blocks=False, with_comments=False
)


def tf_files() -> list[Path]:
    return sorted(INFRA.glob("*.tf"))


@cache
def manifest() -> dict[str, Any]:
    """functions/manifest.json: the one declaration of every function (infra reads it too)."""
    return json.loads((FUNCTIONS / "manifest.json").read_text())


def functions(kind: str | None = None) -> dict[str, dict[str, Any]]:
    """name => manifest entry; kind "http" or "pubsub" filters on the trigger type."""
    fns = manifest()["functions"]
    return {k: v for k, v in fns.items() if kind is None or v["trigger"]["type"] == kind}


@cache
def parsed() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for path in tf_files():
        with path.open() as fh:
            out[path.name] = hcl2.load(fh, serialization_options=_OPTIONS)
    return out


@cache
def all_text() -> str:
    return "\n".join(p.read_text() for p in tf_files())


def locals_() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for doc in parsed().values():
        for block in doc.get("locals", []):
            for key, value in block.items():
                assert key not in merged, f"local.{key} is defined twice"
                merged[key] = value
    return merged


def resources(rtype: str) -> dict[str, dict[str, Any]]:
    """name => body of every `resource "rtype" "name"`."""
    out: dict[str, dict[str, Any]] = {}
    for doc in parsed().values():
        for block in doc.get("resource", []):
            for key, named in block.items():
                if key == rtype:
                    out.update(named)
    return out


def resource(rtype: str, name: str) -> dict[str, Any]:
    found = resources(rtype)
    assert name in found, f"no resource {rtype}.{name} in infra/"
    return found[name]


def all_resources() -> list[tuple[str, str, dict[str, Any]]]:
    out: list[tuple[str, str, dict[str, Any]]] = []
    for doc in parsed().values():
        for block in doc.get("resource", []):
            for rtype, named in block.items():
                for name, body in named.items():
                    out.append((rtype, name, body))
    return out


def variables() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for doc in parsed().values():
        for block in doc.get("variable", []):
            out.update(block)
    return out


def outputs() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for doc in parsed().values():
        for block in doc.get("output", []):
            out.update(block)
    return out


def block(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The single nested block `name` of a resource body."""
    blocks = body.get(name)
    assert isinstance(blocks, list) and len(blocks) == 1, f"expected one {name} block"
    return blocks[0]


def dynamic(body: dict[str, Any], name: str) -> dict[str, Any]:
    for d in body.get("dynamic", []):
        if name in d:
            return d[name]
    raise AssertionError(f"no dynamic {name} block")
