#!/usr/bin/env bash
# `make docs`: render docs/openapi/*.yaml as browsable HTML into docs/_build/openapi/
# (not committed). Redocly CLI, pinned in docs/openapi/renderer/package-lock.json, with
# its scripts inlined in each page: no network at build time or when reading.
#   scripts/docs.sh [OUT_DIR [SPEC.yaml ...]]   (the test renders one description)
set -euo pipefail
cd "$(dirname "$0")/.."
redocly=docs/openapi/renderer/node_modules/.bin/redocly
[ -x "$redocly" ] || { echo "docs: $redocly missing; run make setup" >&2; exit 1; }
# Render only descriptions that match the Routers (the check names what is stale).
.venv/bin/python scripts/openapi_check.py
out=${1:-docs/_build/openapi}
specs=("${@:2}")
[ ${#specs[@]} -gt 0 ] || specs=(docs/openapi/*.yaml)
rm -rf "$out" && mkdir -p "$out"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
items=""
for spec in "${specs[@]}"; do
  fn=$(basename "$spec" .yaml)
  "$redocly" build-docs "$spec" --inlineBundle --lint-config=off --title "$fn" \
    -o "$out/$fn.html" >/dev/null
  items+="<li><a href=\"$fn.html\">$fn</a></li>"
done
cat > "$out/index.html" <<HTML
<!doctype html><html><head><meta charset="utf-8"><title>HTTP functions</title></head>
<body><h1>HTTP functions</h1><p>Generated from docs/openapi/ by make docs.</p>
<ul>$items</ul></body></html>
HTML
echo "docs: open $out/index.html"
