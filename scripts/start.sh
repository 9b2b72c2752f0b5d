#!/usr/bin/env bash
# `npm start`: everything a new user needs on the embedded default (DuckDB file, SQLite, demo sources):
# install, generate the demo sources (first time), run the ETL, then serve the portal with the scheduler.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
[ -f .env ] || cp .env.example .env
data_dir="${PANO_DATA_DIR:-./data}"
if [ ! -f "$data_dir/sources/glpi.sqlite" ]; then
  node bin/pano.js demo
fi
node bin/pano.js etl run || echo "ETL bir hata bildirdi (yukarıdaki tabloya bakın); son başarılı veriler sunuluyor (the ETL run reported a failure, see the table above; serving the last good snapshot)." >&2
exec node bin/pano.js serve
