#!/usr/bin/env bash
# Lint and type-check, then the whole suite against the real emulators. A run that collects
# no test (pytest exit 5) is a broken setup, not a pass.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m ruff check . || exit 1
.venv/bin/python -m ruff format --check . || exit 1
# Types of the functions' source tree (config: [tool.mypy] in pyproject.toml).
.venv/bin/python -m mypy || exit 1
.venv/bin/python -m pytest "$@"
rc=$?
if [ $rc -eq 5 ]; then
  echo "test: pytest collected no tests; failing on purpose" >&2
  exit 1
fi
# The served end-to-end tests can run again against cloud-shaped functions with
# SUITE_MODE=cloud, but not in CI yet: cloud-shaped functions accept only Google-signed
# Identity Platform tokens for portal callers, and no local issuer signs those yet. The
# cloud-shaped smoke tests (tests/cloud: only the manifest's secrets, JSON 404s, OIDC-checked
# pushes and tasks, canary secrets in logs) run above, on a cloud-shaped suite of their own.
exit $rc
