#!/usr/bin/env bash
# Start Google's Cloud Firestore emulator in the background unless one already
# answers, wait until it serves, and print its host:port.
#   scripts/firestore-emulator.sh start   -> prints e.g. 127.0.0.1:8080
#   scripts/firestore-emulator.sh stop    -> stops the emulator this script started
# Also writes .tmp/firestore-emulator.env (export FIRESTORE_EMULATOR_HOST=...).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp
BIN=${FIRESTORE_EMULATOR_BIN:-/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator}
HOSTPORT=${FIRESTORE_EMULATOR_HOST:-127.0.0.1:8080}
HOST=${HOSTPORT%:*}
PORT=${HOSTPORT##*:}
PIDFILE=.tmp/firestore-emulator.pid
export METADATA_SERVER_DETECTION=none

answers() { curl -sf --max-time 2 "http://$HOST:$PORT/" >/dev/null 2>&1; }

start() {
  if answers; then
    echo "export FIRESTORE_EMULATOR_HOST=$HOST:$PORT" > .tmp/firestore-emulator.env
    echo "$HOST:$PORT"; return 0
  fi
  if [ ! -x "$BIN" ]; then
    echo "Firestore emulator not found at $BIN (install google-cloud-cli-firestore-emulator and Java 17)" >&2; return 1
  fi
  command -v java >/dev/null || { echo "java is missing: the Firestore emulator needs Java 17" >&2; return 1; }
  nohup "$BIN" start --host="$HOST" --port="$PORT" > .tmp/firestore-emulator.log 2>&1 &
  echo $! > "$PIDFILE"
  for _ in $(seq 1 120); do
    if answers; then
      echo "export FIRESTORE_EMULATOR_HOST=$HOST:$PORT" > .tmp/firestore-emulator.env
      echo "$HOST:$PORT"; return 0
    fi
    sleep 0.5
  done
  echo "the Firestore emulator did not answer on $HOST:$PORT within 60 s; see .tmp/firestore-emulator.log" >&2
  return 1
}

stop() {
  [ -f "$PIDFILE" ] || { echo "no emulator started by this script"; return 0; }
  pid=$(cat "$PIDFILE")
  pkill -TERM -P "$pid" 2>/dev/null; kill "$pid" 2>/dev/null
  rm -f "$PIDFILE"; echo "stopped"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
