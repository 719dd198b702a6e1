#!/usr/bin/env bash
# Gantry's benchmarks, each printed beside a baseline measured in the same run:
#   launch latency vs `docker run -d`, GET /api/v1/instances (100 items, 16 connections) vs
#   GET /health, placement throughput vs a first-fit scan, idle RSS vs dockerd's.
# Builds release binaries, starts a throwaway `gantry serve` on SQLite, cleans up after itself.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=lib/common.sh
source "${ROOT}/scripts/lib/common.sh"

bash "${ROOT}/scripts/setup.sh" --no-postgres
ensure_swift_on_path

log "bench: building release binaries"
swift build -c release --scratch-path .build-release --product gantry
swift build -c release --scratch-path .build-release --product gantry-bench
BIN="${ROOT}/.build-release/release"

PORT="${BENCH_PORT:-$(free_port)}"
SSH_PORT="${BENCH_SSH_PORT:-$(free_port)}"
INSTANCE_PORTS="$(free_port_range 1000)"
SERVER="http://127.0.0.1:${PORT}"
PASSWORD="bench-pass-1"
DATA="$(mktemp -d /tmp/gantry-bench.XXXXXX)"
LOGFILE="${DATA}/gantry.log"

cleanup() {
  if [[ -n "${GANTRY_PID:-}" ]] && kill -0 "$GANTRY_PID" 2>/dev/null; then
    "$BIN/gantry-bench" cleanup --server "$SERVER" --password "$PASSWORD" >/dev/null 2>&1 || true
    kill -TERM "$GANTRY_PID" 2>/dev/null || true
    wait "$GANTRY_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT

log "bench: starting gantry serve on ${SERVER} (data in ${DATA})"
GANTRY_DATA_DIR="$DATA" GANTRY_HTTP_ADDR="127.0.0.1:${PORT}" GANTRY_SSH_ADDR="127.0.0.1:${SSH_PORT}" \
GANTRY_ADMIN_PASSWORD="$PASSWORD" \
GANTRY_NODE_ADDRESS=127.0.0.1 GANTRY_PUBLISH_ADDR=127.0.0.1 GANTRY_LOG_LEVEL=warning \
GANTRY_CPU_OVERCOMMIT=100 GANTRY_PORT_RANGE_START="${INSTANCE_PORTS}" GANTRY_PORT_RANGE_END="$((INSTANCE_PORTS + 999))" \
  "$BIN/gantry" serve >"$LOGFILE" 2>&1 &
GANTRY_PID=$!
for _ in $(seq 1 100); do
  curl -fsS "${SERVER}/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "${SERVER}/health" >/dev/null || { tail -n 30 "$LOGFILE"; die "gantry did not start"; }

sleep 3
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
GANTRY_RSS=$(rss_kb "$GANTRY_PID")
DOCKERD_RSS=$(rss_kb "$(pgrep -o dockerd)")
awk -v g="$GANTRY_RSS" -v d="$DOCKERD_RSS" 'BEGIN {
  printf "memory: idle gantry serve RSS %.1f MB (target < 80 MB)   baseline dockerd RSS %.1f MB   ratio %.2fx\n", g/1024, d/1024, g/d }'

"$BIN/gantry-bench" placement

"$BIN/gantry-bench" launch --server "$SERVER" --password "$PASSWORD" --runs "${BENCH_RUNS:-10}"
"$BIN/gantry-bench" cleanup --server "$SERVER" --password "$PASSWORD"

log "bench: launching 100 instances for the list benchmark"
TOKEN=$("$BIN/gantry-bench" seed-instances --server "$SERVER" --password "$PASSWORD" --count 100)

run_wrk() {  # url → "requests/s p99(ms)"
  wrk -t2 -c16 -d"${BENCH_SECONDS:-10}s" --latency -H "Authorization: Bearer ${TOKEN}" "$1" | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }; p99 = v }
    END { printf "%s %s\n", rps, p99 }'
}
read -r LIST_RPS LIST_P99 < <(run_wrk "${SERVER}/api/v1/instances?limit=100")
read -r HEALTH_RPS HEALTH_P99 < <(run_wrk "${SERVER}/health")
COUNT=$(curl -fsS -H "Authorization: Bearer ${TOKEN}" "${SERVER}/api/v1/instances?limit=100" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
awk -v r="$LIST_RPS" -v p="$LIST_P99" -v hr="$HEALTH_RPS" -v hp="$HEALTH_P99" -v n="$COUNT" 'BEGIN {
  printf "list: GET /api/v1/instances (%d items, 16 connections) %.0f req/s, p99 %.2f ms (target >= 2000 req/s, p99 < 20 ms)\n", n, r, p
  printf "list: baseline GET /health %.0f req/s, p99 %.2f ms   throughput ratio %.2fx\n", hr, hp, r/hr }'
