#!/usr/bin/env bash
# Install everything the project needs on a fresh machine: its own virtualenvs (the
# runtime + tests, and a separate one for the Cloud Tasks emulator, which pins
# protobuf<5) and the Debian packages (espeak-ng for local text-to-speech).
# The gcloud CLI with its Firestore and Pub/Sub emulators, and Java, come with the machine
# image and cannot be installed from a package registry: we check for them instead.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if ! "$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "setup: Python 3.11 is required (found $("$PY" --version 2>&1))" >&2
  exit 1
fi

missing=()
command -v gcloud >/dev/null 2>&1 || missing+=("gcloud CLI (with the cloud-firestore-emulator and pubsub-emulator components)")
command -v java >/dev/null 2>&1 || missing+=("java (needed by the Firestore and Pub/Sub emulators)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: these ship with the machine image and are missing here:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi
sdk=$(dirname "$(dirname "$(readlink -f "$(command -v gcloud)")")")
for comp in cloud-firestore-emulator pubsub-emulator; do
  if [ ! -d "$sdk/platform/$comp" ]; then
    echo "setup: the gcloud component '$comp' is missing (expected under $sdk/platform)" >&2
    exit 1
  fi
done

if ! command -v espeak-ng >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing espeak-ng (local text-to-speech engine)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng >/dev/null) \
      || { echo "setup: apt-get install espeak-ng failed" >&2; exit 1; }
  else
    echo "setup: espeak-ng is missing; run: sudo apt-get install espeak-ng" >&2
    exit 1
  fi
fi

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

want=$(stamp requirements.txt requirements-dev.txt)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.stamp 2>/dev/null)" != "$want" ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements-dev.txt
  echo "$want" > .venv/.stamp
fi

want=$(stamp emulators/requirements-tasks.txt)
if [ ! -x .venv-tasks/bin/gcloud-tasks-emulator ] || [ "$(cat .venv-tasks/.stamp 2>/dev/null)" != "$want" ]; then
  echo "setup: creating .venv-tasks (Cloud Tasks emulator)"
  "$PY" -m venv .venv-tasks
  .venv-tasks/bin/pip install -q --upgrade pip
  .venv-tasks/bin/pip install -q -r emulators/requirements-tasks.txt
  echo "$want" > .venv-tasks/.stamp
fi
want=$(stamp infra/requirements-checkov.txt)
if [ ! -x .venv-checkov/bin/checkov ] || [ "$(cat .venv-checkov/.stamp 2>/dev/null)" != "$want" ]; then
  echo "setup: creating .venv-checkov (Terraform static checks; its pins clash with ours)"
  "$PY" -m venv .venv-checkov
  .venv-checkov/bin/pip install -q --upgrade pip
  .venv-checkov/bin/pip install -q -r infra/requirements-checkov.txt
  echo "$want" > .venv-checkov/.stamp
fi
echo "setup: ok"
