"""schemathesis against docs/openapi/<function>.yaml, on every function served locally.

Every JSON operation gets schema-valid and schema-violating requests with valid
credentials (half of them aimed at a real live chat / call / SmartAction request, so the
fuzzing reaches the handlers, not only the 404 of a random id). Checks: no 5xx, the status
code and content type are ones the description declares, and 4xx bodies follow the error
model. Short by default (deterministic); the long run:

    HOSTILE_EXAMPLES=500 .venv/bin/pytest tests/hostile/test_schemathesis.py -s
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.hostile import seeds as seeding

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from openapi_routes import http_functions  # noqa: E402

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Operations that end the seeded session run last, so the others meet it live.
LAST = ("/end", "/decline", "/fulfil", "/stop")
# Message framing belongs to the platform's front end, which refuses a malformed one before
# a request reaches a function; locally gunicorn answers its own HTML 501 for a transfer
# coding it does not know. Generated values for these are dropped, not sent.
FRAMING = frozenset({"transfer-encoding", "content-length", "connection", "te", "upgrade", "host"})
TOTALS: dict[str, int] = {"cases": 0, "5xx": 0}
STATUSES: Counter[int] = Counter()


def _order(op: Any) -> tuple[bool, str]:
    return (op.path.endswith(LAST), f"{op.path} {op.method}")


def _framework_404(case: Any, response: Any) -> bool:
    """functions-framework's own HTML 404 for a path our Router never sees (a control
    character in a path parameter does not match its catch-all rule)."""
    found = {k.lower(): v for k, v in response.headers.items()}.get("content-type", "")
    ctype = found[0] if isinstance(found, list) else found
    values = unquote("".join(str(v) for v in (case.path_parameters or {}).values()))
    return (
        response.status_code == 404
        and ctype.startswith("text/html")
        and any(ord(c) < 0x20 or c == "\x7f" for c in values)
    )


def _task_signature(case: Any) -> dict[str, str]:
    from recordings import tasks

    body = case.body
    try:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    except TypeError:  # not JSON at all: sent unsigned, refused with 403
        return {}
    return {tasks.HEADER: tasks.sign(raw)}


def _fuzz_operation(
    op: Any,
    mode: GenerationMode,
    base_url: str,
    seeds: seeding.Seeds,
    examples: int,
    failures: list[str],
) -> int:
    caller = op.definition.raw["x-caller"]
    headers = seeding.valid_headers(caller, seeds)
    strategy = op.as_strategy(generation_mode=mode)
    if op.path_parameters:
        strategy = st.one_of(strategy, strategy.map(lambda case: _aimed(case, seeds, op.path)))
    cases = 0

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        nonlocal cases
        cases += 1
        if case.headers:
            case.headers = {k: v for k, v in case.headers.items() if k.lower() not in FRAMING}
        extra = _task_signature(case) if caller == "task" else {}
        response = case.call(base_url=base_url, headers={**headers, **extra}, timeout=30)
        STATUSES[response.status_code] += 1
        if response.status_code >= 500:
            TOTALS["5xx"] += 1
        checks = [not_a_server_error] if _framework_404(case, response) else CHECKS
        try:
            case.validate_response(response, checks=checks)
        except (AssertionError, FailureGroup) as exc:  # collected, not shrunk
            failures.append(
                f"{op.method.upper()} {op.path} {case.path_parameters!r} "
                f"[{mode.value}] -> {response.status_code}: {str(exc)[:600]}"
            )

    try:
        run()
    except Unsatisfiable:
        # A public operation without parameters, body or credentials (the console's
        # config.json) has nothing a negative case could break.
        if mode != GenerationMode.NEGATIVE:
            raise
    return cases


def _aimed(case: Any, seeds: seeding.Seeds, path: str) -> Any:
    case.path_parameters = seeds.ids(case.path_parameters or {}, path)
    return case


def fuzz_function(
    fn: str, base_url: str, seeds: seeding.Seeds, examples: int = EXAMPLES
) -> tuple[int, list[str]]:
    schema = schemathesis.openapi.from_path(ROOT / "docs" / "openapi" / f"{fn}.yaml")
    ops = [r.ok() for r in schema.get_all_operations()]
    ops = sorted((op for op in ops if op.definition.raw.get("x-json-api")), key=_order)
    failures: list[str] = []
    cases = 0
    for op in ops:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            cases += _fuzz_operation(op, mode, base_url, seeds, examples, failures)
    TOTALS["cases"] += cases
    return cases, failures


def _takes_input(fn: str) -> bool:
    import yaml

    doc = yaml.safe_load((ROOT / "docs" / "openapi" / f"{fn}.yaml").read_text())
    return any(
        op.get("x-json-api")
        and (op.get("parameters") or op.get("requestBody") or op.get("security"))
        for item in doc["paths"].values()
        for op in item.values()
        if isinstance(op, dict)
    )


@pytest.mark.parametrize("fn", http_functions())
def test_schemathesis(fn: str, functions: Any, demo: Any) -> None:
    urls = {name: functions.function_url(name) for name in functions.function_ports}
    seeds = seeding.make(urls)
    cases, failures = fuzz_function(fn, urls[fn], seeds)
    print(
        f"\nschemathesis {fn}: {cases} cases, {len(failures)} findings "
        f"(all functions so far: {TOTALS['cases']} cases, {TOTALS['5xx']} 5xx; "
        f"statuses {dict(sorted(STATUSES.items()))})"
    )
    # A function whose JSON routes take no input at all (the console's config.json) has
    # a single possible request per route.
    assert cases >= (EXAMPLES if _takes_input(fn) else 1), "nothing was fuzzed"
    assert not failures, "\n".join(dict.fromkeys(failures))


def test_description_names_every_json_function(functions: Any) -> None:
    """The fuzzing covers every HTTP function that has a JSON route."""
    described = {p.stem for p in (ROOT / "docs" / "openapi").glob("*.yaml")}
    assert set(http_functions()) <= described
