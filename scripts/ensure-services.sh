#!/usr/bin/env bash
# Starts MariaDB and PostgreSQL when they are not already up (CI runs on a machine that normally has them running).
set -uo pipefail
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! up 3306 && [ -x /usr/sbin/mariadbd ]; then
  echo "› starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
if ! up 5432 && command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "› starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
for i in $(seq 1 30); do up 3306 && break; sleep 1; done
up 3306 || echo "warning: MariaDB is not reachable on 127.0.0.1:3306; its tests will fail"
