#!/usr/bin/env bash
# Lint, then the whole suite against the real emulators. A run that collects no test
# (pytest exit 5) is a broken setup, not a pass.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m ruff check . || exit 1
.venv/bin/python -m ruff format --check . || exit 1
.venv/bin/python -m pytest "$@"
rc=$?
if [ $rc -eq 5 ]; then
  echo "test: pytest collected no tests; failing on purpose" >&2
  exit 1
fi
exit $rc
