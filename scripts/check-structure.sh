#!/usr/bin/env bash
# The tree's rules, checked by `npm test` before the tests run (README "How it is built"):
# import boundaries (dependency-cruiser, .dependency-cruiser.cjs), dead files and exports (knip, knip.json) and
# formatting (Prettier, .prettierrc.json).
set -euo pipefail
cd "$(dirname "$0")/.."
# The browser is cruised from its entry (its .tsx files are followed from there).
npx depcruise bin common etl portal/server reports scheduler scripts portal/web/src/main.tsx --config .dependency-cruiser.cjs --output-type err
# Files no entry reaches, and exports or types nothing imports (a door exports only what is used).
npx knip --no-progress --no-config-hints
npx prettier --check --log-level warn "**/*.{ts,tsx,mts,cjs,mjs,js}" || {
  echo "Formatting differs from Prettier's: run \`npx prettier --write .\` and commit the result" >&2
  exit 1
}
