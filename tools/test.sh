#!/usr/bin/env bash
# `npm test`: install the system packages the real-part tests need, then lint, type-check and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/ensure-system-packages.sh
echo "== project graph (the module-boundaries lint rule silently skips without it)"
export NX_DAEMON=false NX_NO_CLOUD=true
npx nx show projects >/dev/null
echo "== format (prettier --check; npm run format fixes it)"
npx prettier --check . --log-level warn
echo "== lint (module boundaries included)"
npx eslint . --max-warnings=0
echo "== type-check"
npx tsc -p tsconfig.json --noEmit
# The console's front-end on its own (DOM, JSX): its names for the taxonomy must cover the contracts' types.
npx tsc -p apps/console/tsconfig.web.json
echo "== tests"
results="$(mktemp)"
npx jest --ci --json --outputFile="$results" "$@"
# One plain closing line that any CI reads the same way.
node -e 'const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)' "$results"
rm -f "$results"
