#!/usr/bin/env bash
# Install everything the project needs on a fresh machine: its own virtualenvs (the
# runtime + tests, and a separate one for the Cloud Tasks emulator, which pins
# protobuf<5), firebase-tools from npm (the Firebase Authentication emulator), the
# OpenAPI renderer of `make docs` (@redocly/cli from npm) and the
# Debian packages (espeak-ng for local text-to-speech).
# The gcloud CLI with its Firestore and Pub/Sub emulators, Java and Node come with the
# machine image and cannot be installed from a package registry: we check for them instead.
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
command -v npm >/dev/null 2>&1 || missing+=("node and npm (the Firebase Authentication emulator runs on Node)")
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

# Debian packages: espeak-ng (local text-to-speech), and for the console's browser tests
# Chromium with its driver and a CJK font (without it Korean renders as empty boxes).
apt_missing=()
command -v espeak-ng >/dev/null 2>&1 || apt_missing+=(espeak-ng)
[ -x /usr/bin/chromium ] || apt_missing+=(chromium)
[ -x /usr/bin/chromedriver ] || apt_missing+=(chromium-driver)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || apt_missing+=(fonts-noto-cjk)
if [ ${#apt_missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${apt_missing[*]} (apt-get)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null) \
      || { echo "setup: apt-get install ${apt_missing[*]} failed" >&2; exit 1; }
  else
    echo "setup: missing Debian packages; run: sudo apt-get install ${apt_missing[*]}" >&2
    exit 1
  fi
fi

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

# make_venv DIR WHAT REQUIREMENTS...: (re)create DIR from scratch whenever its pinned
# requirements change, so a removed pin never lingers in a stale environment. A `.lock`
# file (`make lock`) pins every package with its hashes: pip installs nothing else.
make_venv() {
  local dir=$1 what=$2; shift 2
  local want; want=$(stamp "$@")
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  echo "setup: creating $dir ($what)"
  "$PY" -m venv --clear "$dir"
  # The machine's pip config names local mirrors that may be absent: drop that noise only.
  # (pipefail makes a failed install fail the pipeline; the filter itself never does.)
  local hashes=()
  [[ $1 == *.lock ]] && hashes=(--require-hashes)
  { "$dir/bin/pip" install -q --upgrade pip && "$dir/bin/pip" install -q "${hashes[@]}" -r "$1"; } 2>&1 \
    | { grep -v "^WARNING: Location '" || true; }
  "$dir/bin/pip" check >/dev/null 2>&1 || echo "setup: note: pip check reports conflicts in $dir"
  echo "$want" > "$dir/.stamp"
}

make_venv .venv "code and tests" requirements-dev.lock
make_venv .venv-tasks "Cloud Tasks emulator, pins protobuf<5" emulators/requirements-tasks.lock
make_venv .venv-checkov "Terraform static checks; its pins clash with ours" \
  infra/requirements-checkov.txt
# The Firebase Authentication emulator (portal sign-in): firebase-tools pinned in
# emulators/auth/package-lock.json; reinstalled whenever the lock file changes.
want=$(stamp emulators/auth/package-lock.json)
if [ ! -x emulators/auth/node_modules/.bin/firebase ] \
  || [ "$(cat emulators/auth/node_modules/.stamp 2>/dev/null)" != "$want" ]; then
  echo "setup: installing firebase-tools (Firebase Authentication emulator)"
  (cd emulators/auth && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$want" > emulators/auth/node_modules/.stamp
fi
[ -x emulators/auth/node_modules/.bin/firebase ] || { echo "setup: firebase-tools missing" >&2; exit 1; }
# The OpenAPI renderer of `make docs` (Redocly CLI, pinned in
# docs/openapi/renderer/package-lock.json); it renders offline.
want=$(stamp docs/openapi/renderer/package-lock.json)
if [ ! -x docs/openapi/renderer/node_modules/.bin/redocly ] \
  || [ "$(cat docs/openapi/renderer/node_modules/.stamp 2>/dev/null)" != "$want" ]; then
  echo "setup: installing @redocly/cli (make docs)"
  (cd docs/openapi/renderer && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$want" > docs/openapi/renderer/node_modules/.stamp
fi
[ -x docs/openapi/renderer/node_modules/.bin/redocly ] || { echo "setup: redocly missing" >&2; exit 1; }
[ -x .venv-tasks/bin/gcloud-tasks-emulator ] || { echo "setup: Cloud Tasks emulator missing" >&2; exit 1; }
[ -x .venv-checkov/bin/checkov ] || { echo "setup: checkov missing" >&2; exit 1; }
echo "setup: ok"
