#!/usr/bin/env bash
# A throw-away 3-master Redis Cluster for tests (no replicas, no persistence).
#   scripts/redis-cluster.sh start <baseport>   # nodes on baseport, +1, +2; prints the node urls
#   scripts/redis-cluster.sh stop <baseport>
# State lives under ${TMPDIR:-/tmp}/chatcore-redis-cluster-<baseport>.
set -euo pipefail
cmd="${1:-}"; base="${2:-}"
if [[ -z "$cmd" || ! "$base" =~ ^[0-9]+$ ]]; then echo "usage: $0 start|stop <baseport>" >&2; exit 2; fi
dir="${TMPDIR:-/tmp}/chatcore-redis-cluster-$base"
ports=("$base" "$((base + 1))" "$((base + 2))")

stop() {
  for p in "${ports[@]}"; do redis-cli -h 127.0.0.1 -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
  # Wait until the ports are free, so a restart on the same ports can bind them.
  for p in "${ports[@]}"; do
    for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$p" ping >/dev/null 2>&1 || break; sleep 0.1; done
  done
  rm -rf "$dir"
}

case "$cmd" in
  start)
    command -v redis-server >/dev/null || { echo "redis-server is not installed" >&2; exit 1; }
    stop
    mkdir -p "$dir"
    for p in "${ports[@]}"; do
      mkdir -p "$dir/$p"
      redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "$dir/$p/nodes.conf" \
        --cluster-node-timeout 2000 --save "" --appendonly no --dir "$dir/$p" --daemonize yes --logfile "$dir/$p/redis.log"
    done
    for p in "${ports[@]}"; do
      up=0
      for _ in $(seq 1 300); do
        if redis-cli -h 127.0.0.1 -p "$p" ping 2>/dev/null | grep -q PONG; then up=1; break; fi
        sleep 0.1
      done
      if [ "$up" != 1 ]; then echo "redis node on port $p did not start within 30 s:" >&2; tail -n 5 "$dir/$p/redis.log" >&2 2>/dev/null; stop; exit 1; fi
    done
    redis-cli --cluster create "127.0.0.1:${ports[0]}" "127.0.0.1:${ports[1]}" "127.0.0.1:${ports[2]}" --cluster-replicas 0 --cluster-yes >"$dir/create.log" 2>&1 \
      || { cat "$dir/create.log" >&2; stop; exit 1; }
    ok=0
    for _ in $(seq 1 300); do
      if redis-cli -h 127.0.0.1 -p "${ports[0]}" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; then ok=1; break; fi
      sleep 0.1
    done
    if [ "$ok" != 1 ]; then echo "the cluster on ports ${ports[*]} did not reach cluster_state:ok within 30 s" >&2; stop; exit 1; fi
    for p in "${ports[@]}"; do echo "redis://127.0.0.1:$p"; done ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop <baseport>" >&2; exit 2 ;;
esac
