#!/usr/bin/env bash
# The tree's rules, checked by `npm test` before the tests run (README "How it is built"):
# import boundaries (dependency-cruiser, .dependency-cruiser.cjs), dead files and exports (knip, knip.json) and
# formatting (Prettier, .prettierrc.json).
set -euo pipefail
cd "$(dirname "$0")/.."
# Every source file by name: dependency-cruiser scans folders only for the languages whose compiler it supports,
# and it does not support TypeScript 7 (it still parses .ts and .tsx files it is given, with Babel).
mapfile -t files < <(git ls-files -co --exclude-standard -- 'bin/*.ts' 'common/*.ts' 'etl/*.ts' 'portal/server/*.ts' 'portal/web/src/*.ts' 'portal/web/src/*.tsx' 'reports/*.ts' 'scheduler/*.ts')
npx depcruise "${files[@]}" --config .dependency-cruiser.cjs --output-type err
# Files no entry reaches, and exports or types nothing imports (a door exports only what is used).
npx knip --no-progress --no-config-hints
npx prettier --check --log-level warn "**/*.{ts,tsx,mts,cjs,mjs,js}" || {
  echo "Formatting differs from Prettier's: run \`npx prettier --write .\` and commit the result" >&2
  exit 1
}
