#!/usr/bin/env bash
# Installs what Pano needs on this machine, only what is missing: npm packages (Cube's download scripts
# denied), Debian's Chromium and poppler-utils, and a built portal. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

export CUBESTORE_SKIP_POST_INSTALL=1   # older npm ignores package.json allowScripts; Cube Store must not download

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "› npm ci (Cube's native downloads denied)"
  npm ci --no-audit --no-fund --loglevel=error   # Cube pulls in cloud SDKs that warn about Node 22; they are not used
fi

if [ -z "${PANO_CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "› apt-get install chromium poppler-utils"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium poppler-utils >/dev/null
fi
if ! command -v pdftotext >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq poppler-utils >/dev/null
fi

web_src_newer() {
  [ ! -f portal/web/dist/index.html ] && return 0
  [ -n "$(find portal/web/src portal/web/index.html common reports/definitions -newer portal/web/dist/index.html -type f 2>/dev/null | head -1)" ]
}
if web_src_newer; then
  echo "› building the portal (vite)"
  npx vite build --config portal/web/vite.config.ts --logLevel warn
fi
