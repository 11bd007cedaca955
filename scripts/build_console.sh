#!/usr/bin/env bash
# Build the web console (console/ -> console/dist/): `npm ci` from its lock file when the
# lock changed, then `npm run build` when any source changed. `make console` and
# scripts/setup.sh run it; the deploy zips console/dist (infra/source.tf), so build first.
set -euo pipefail
cd "$(dirname "$0")/../console"
command -v npm >/dev/null 2>&1 || { echo "console: npm is missing (Node ships with the machine image)" >&2; exit 1; }

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

want=$(stamp package-lock.json)
if [ ! -d node_modules ] || [ "$(cat node_modules/.stamp 2>/dev/null)" != "$want" ]; then
  echo "console: installing npm dependencies (package-lock.json)"
  # No install scripts: esbuild and rollup ship their binaries as platform packages.
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$want" > node_modules/.stamp
fi

# Everything the bundle is made from; a change rebuilds dist.
sources=$(find src index.html vite.config.ts tsconfig.json package-lock.json -type f | LC_ALL=C sort)
# shellcheck disable=SC2086
want=$(stamp $sources)
if [ "${1:-}" = "--force" ] || [ ! -f dist/index.html ] || [ "$(cat dist/.stamp 2>/dev/null)" != "$want" ]; then
  echo "console: building console/dist"
  npm run --silent build
  echo "$want" > dist/.stamp
fi
[ -f dist/index.html ] || { echo "console: build produced no dist/index.html" >&2; exit 1; }
