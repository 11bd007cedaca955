#!/usr/bin/env bash
# Lint, then the whole suite against the real emulators, then the served end-to-end tests
# again against cloud-shaped functions (SUITE_MODE=cloud: each function with only its
# manifest's secrets, K_SERVICE set, OIDC-signed pushes and tasks). A run that collects no
# test (pytest exit 5) is a broken setup, not a pass.
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
echo "test: the served end-to-end tests again, cloud-shaped (SUITE_MODE=cloud)"
SUITE_MODE=cloud .venv/bin/python -m pytest -m served "$@"
cloud_rc=$?
if [ $cloud_rc -eq 5 ] && [ $# -gt 0 ]; then
  cloud_rc=0 # the arguments selected no served test
elif [ $cloud_rc -eq 5 ]; then
  echo "test: no served test collected in cloud mode; failing on purpose" >&2
  exit 1
fi
[ $rc -ne 0 ] && exit $rc
exit $cloud_rc
