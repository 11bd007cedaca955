#!/usr/bin/env bash
# What can be checked about a deploy without a cloud project (infra/README.md "Checks"):
# terraform fmt, the Terraform assertions (python-hcl2, variable validations, TTL policies,
# fallback TwiML, locals evaluated by terraform), checkov, the manifest's consistency with
# the code, then a cloud-shaped smoke run of every function on the emulator suite.
# Any missing piece is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

SMOKE=tests/cloud/test_cloud_shape.py

if command -v terraform >/dev/null 2>&1; then
  echo "deploy-check: terraform fmt"
  TF_CLI_CONFIG_FILE=/dev/null terraform fmt -check -recursive -diff infra
else
  echo "deploy-check: terraform is not installed; fmt and the terraform-evaluated checks" \
    "are skipped (python-hcl2 still parses and asserts every file)" >&2
fi

if [ ! -x .venv-checkov/bin/checkov ]; then
  echo "deploy-check: checkov is missing (.venv-checkov): run make setup" >&2
  exit 1
fi

echo "deploy-check: Terraform assertions, validations, checkov, manifest"
# CI=1: a missing checkov fails instead of skipping. test_suite_and_entrypoints: main.py
# and the emulator suite serve exactly the manifest's functions.
CI=1 .venv/bin/python -m pytest -q -p no:cacheprovider tests/infra \
  tests/core/test_suite_and_entrypoints.py

if [ ! -f "$SMOKE" ]; then
  echo "deploy-check: the cloud-shaped smoke run ($SMOKE) is missing" >&2
  exit 1
fi
echo "deploy-check: cloud-shaped smoke run of every function"
.venv/bin/python -m pytest -q -p no:cacheprovider "$SMOKE"
