#!/usr/bin/env bash
# `npm test`: the whole suite, with the real services it needs (MariaDB, PostgreSQL, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/ensure-services.sh
npx vitest run "$@"
