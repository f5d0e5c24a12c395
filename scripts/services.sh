#!/usr/bin/env bash
# Start the services the full test suite needs, if they are down, and wait
# until each answers. Exits non-zero when one cannot be reached.
#   scripts/services.sh start   (PostgreSQL 5432, Redis 6379, Firestore emulator)
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp

wait_for() { # name, command
  for _ in $(seq 1 60); do if eval "$2" >/dev/null 2>&1; then echo "$1 is up"; return 0; fi; sleep 0.5; done
  echo "$1 did not come up"; return 1
}

start_postgres() {
  if pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then echo "postgres is up"; return 0; fi
  command -v pg_ctlcluster >/dev/null || { echo "PostgreSQL is not installed (pg_ctlcluster missing)"; return 1; }
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true
  wait_for postgres "pg_isready -h 127.0.0.1 -p 5432"
}

start_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then echo "redis is up"; return 0; fi
  command -v redis-server >/dev/null || { echo "Redis is not installed"; return 1; }
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  wait_for redis "redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG"
}

start_firestore() {
  if [ -x scripts/firestore-emulator.sh ] || [ -f scripts/firestore-emulator.sh ]; then
    bash scripts/firestore-emulator.sh start
  else
    echo "scripts/firestore-emulator.sh missing"; return 1
  fi
}

case "${1:-start}" in
  start)
    rc=0
    start_postgres || rc=1
    start_redis || rc=1
    start_firestore || rc=1
    exit $rc ;;
  *) echo "usage: $0 start"; exit 2 ;;
esac
