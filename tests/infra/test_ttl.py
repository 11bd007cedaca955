"""Every Firestore collection the code writes `expire_at` into has a TTL policy in infra/.

The code is read, not grepped: a module writes the TTL field when its syntax tree uses
`core.ttl.FIELD` (or the literal "expire_at" as a dict key / keyword), and the collections
it writes are the arguments of its `.collection(...)` calls, resolved to string constants
(a literal, a module constant, or `module.CONSTANT` of an imported module). A module that
uses the field but names no collection it can be tied to fails the test, so a new writer
cannot slip through unnoticed.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from tests.infra import tf

TTL_FIELD = "expire_at"
TTL_MODULE = "core.ttl"


def _module_name(path: Path) -> str:
    rel = path.relative_to(tf.FUNCTIONS).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "literal" assignments."""
    out: dict[str, str] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            for t in targets:
                if isinstance(t, ast.Name):
                    out[t.id] = value.value
    return out


def _imports(tree: ast.Module, module: str) -> dict[str, str]:
    """Local alias => absolute module name, for `import a.b as c` / `from a import b`."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                out[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = module.split(".")[: -node.level]
                base = ".".join([*pkg, base] if base else pkg)
            for a in node.names:
                out[a.asname or a.name] = f"{base}.{a.name}" if base else a.name
    return out


def _uses_ttl_field(tree: ast.Module, imports: dict[str, str]) -> bool:
    ttl_aliases = {k for k, v in imports.items() if v == TTL_MODULE}
    field_aliases = {k for k, v in imports.items() if v == f"{TTL_MODULE}.FIELD"}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "FIELD"
            and isinstance(node.value, ast.Name)
            and node.value.id in ttl_aliases
        ):
            return True
        if isinstance(node, ast.Name) and node.id in field_aliases:
            return True
        if isinstance(node, ast.Dict) and any(
            isinstance(k, ast.Constant) and k.value == TTL_FIELD for k in node.keys
        ):
            return True
        if isinstance(node, ast.keyword) and node.arg == TTL_FIELD:
            return True
        if (  # d["expire_at"] = ..., FieldPath strings in update() maps
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and node.slice.value == TTL_FIELD
            and isinstance(node.ctx, ast.Store)
        ):
            return True
    return False


def writers(sources: dict[str, str]) -> dict[str, set[str]]:
    """module => collections it writes `expire_at` into, from module sources (name => code).

    Raises AssertionError for a module that uses the field without a resolvable collection.
    """
    trees = {m: ast.parse(src) for m, src in sources.items()}
    consts = {m: _constants(t) for m, t in trees.items()}
    out: dict[str, set[str]] = {}
    for module, tree in trees.items():
        if module == TTL_MODULE:
            continue
        imports = _imports(tree, module)
        if not _uses_ttl_field(tree, imports):
            continue
        collections: set[str] = set()
        unresolved: list[str] = []
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("collection", "collection_group")
                and node.args
            ):
                continue
            arg = node.args[0]
            name: str | None = None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                name = arg.value
            elif isinstance(arg, ast.Name):
                name = consts[module].get(arg.id)
                if name is None and arg.id in imports:  # from x import COLLECTION
                    owner, _, const = imports[arg.id].rpartition(".")
                    name = consts.get(owner, {}).get(const)
            elif isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name):
                owner = imports.get(arg.value.id)
                name = consts.get(owner or "", {}).get(arg.attr)
            if name is None:
                unresolved.append(ast.unparse(arg))
            else:
                collections.add(name.split("/")[0])
        assert not unresolved, (
            f"{module} writes {TTL_FIELD} but its collection(s) {unresolved} are not string "
            "constants: name the collection in a module constant so its TTL policy is checked"
        )
        assert collections, f"{module} writes {TTL_FIELD} but names no collection"
        out[module] = collections
    return out


def _code() -> dict[str, str]:
    return {
        _module_name(p): p.read_text()
        for p in sorted(tf.FUNCTIONS.rglob("*.py"))
        if "__pycache__" not in p.parts
    }


def _declared_ttl() -> set[str]:
    doc = json.loads((tf.INFRA / "firestore.indexes.json").read_text())
    return {
        fo["collectionGroup"]
        for fo in doc.get("fieldOverrides", [])
        if fo.get("ttl") and fo["fieldPath"] == TTL_FIELD
    }


def test_every_collection_writing_expire_at_has_a_ttl_policy() -> None:
    found = writers(_code())
    collections = set().union(*found.values())
    # The ones the issue names, so a broken scan cannot pass by finding nothing.
    assert {"rate_limits", "idempotency", "session_events"} <= collections, found
    missing = collections - _declared_ttl()
    assert not missing, f"collections writing {TTL_FIELD} without a TTL policy: {missing}"


def test_ttl_policies_are_deployed_without_indexing_the_field() -> None:
    field = tf.resource("google_firestore_field", "ttl")
    assert field["for_each"] == "${local.ttl_fields}"
    assert field["collection"] == "${each.value.collectionGroup}"
    assert field["field"] == "${each.value.fieldPath}"
    assert field["ttl_config"] == [{}]
    assert field["index_config"] == [{}]  # no single-field index on a TTL field
    assert "fo.ttl" in tf.locals_()["ttl_fields"]
    for fo in json.loads((tf.INFRA / "firestore.indexes.json").read_text())["fieldOverrides"]:
        if fo.get("ttl"):
            assert fo["indexes"] == [], fo


def test_ttl_value_is_a_timestamp() -> None:
    """TTL policies ignore anything but a timestamp: core.ttl hands out aware datetimes."""
    import datetime as dt

    from core import ttl

    assert ttl.FIELD == TTL_FIELD
    v = ttl.expire_at(60, now=1_000_000.0)
    assert isinstance(v, dt.datetime) and v.tzinfo is not None
    assert v.timestamp() == 1_000_060.0


# -- the scanner itself ----------------------------------------------------------------------


def test_scanner_finds_a_new_writer_and_its_collection() -> None:
    sources = {
        "core.ttl": "FIELD = 'expire_at'\n",
        "pkg.store": "NAME = 'carts'\n",
        "pkg.a": (
            "from core import ttl, clients\n"
            "COLLECTION = 'holds'\n"
            "def f(db):\n"
            "    db.collection(COLLECTION).document('x').set({ttl.FIELD: 1})\n"
        ),
        "pkg.b": (
            "from pkg import store\n"
            "def g(db):\n"
            "    db.collection(store.NAME).add({'expire_at': 1})\n"
        ),
        "pkg.c": "def h(db):\n    db.collection('plain').add({'at': 1})\n",
    }
    assert writers(sources) == {"pkg.a": {"holds"}, "pkg.b": {"carts"}}


def test_scanner_refuses_a_collection_it_cannot_name() -> None:
    sources = {
        "pkg.d": (
            "from core.ttl import FIELD\n"
            "def f(db, name):\n"
            "    db.collection(name).add({FIELD: 1})\n"
        )
    }
    with pytest.raises(AssertionError, match="not string constants"):
        writers(sources)
