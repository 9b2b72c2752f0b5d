#!/usr/bin/env bash
# `npm test`: the whole suite, with the real services it needs (MariaDB, PostgreSQL, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/ensure-services.sh
# The whole suite also checks the tree's import rules and formatting; a run of chosen test files does not.
if [ $# -eq 0 ]; then bash scripts/check-structure.sh; fi
npx vitest run "$@"
