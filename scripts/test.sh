#!/usr/bin/env bash
# Lint and type-check, then the whole suite against the real emulators, then the served
# end-to-end tests again against cloud-shaped functions (SUITE_MODE=cloud: each function
# started as Terraform starts it, README "The cloud-shaped suite"). A run that collects no
# test (pytest exit 5) is a broken setup, not a pass.
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
echo "test: the served tests again, against cloud-shaped functions (SUITE_MODE=cloud)"
# The console's browser tests stay in the first pass: the browser signs in through the
# Firebase JS SDK, which reaches Identity Platform at Google's fixed address, and their API
# calls are the served routes this pass already covers.
SUITE_MODE=cloud .venv/bin/python -m pytest -m "served and not browser" "$@"
cloud_rc=$?
# A selection with no served test in it (e.g. `make test PYTEST_ARGS=tests/infra`) has
# nothing to run a second time.
if [ $cloud_rc -ne 0 ] && [ $cloud_rc -ne 5 ]; then
  [ $rc -eq 0 ] && rc=$cloud_rc
fi
exit $rc
