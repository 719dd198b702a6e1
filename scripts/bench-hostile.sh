#!/usr/bin/env bash
# Issue 12's hostile-load benchmarks, each beside a baseline measured in the same run:
#   - /health p99 while 4 clients send 50 MB bodies to /api/v1/auth/token and 3 clients submit
#     job inputs that make a plugin's pattern backtrack, against /health p99 on the idle server;
#   - the server's RSS 60 s after 100 rejected 50 MB requests, against its RSS before them;
#   - a legitimate ssh login while 1,000 idle TCP connections are opened from another address,
#     against the same login with none.
# Builds the release binaries, starts a throwaway `gantry serve` (SQLite, every listener on a
# free port) with a session to sign in to, cleans up after itself.
# Usage: scripts/bench-hostile.sh   (BENCH_HOSTILE_SECONDS, BENCH_HOSTILE_SETTLE override)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=lib/common.sh
source "${ROOT}/scripts/lib/common.sh"

if [[ "${BENCH_SKIP_SETUP:-0}" != 1 ]]; then
  bash "${ROOT}/scripts/setup.sh" --no-postgres
  ensure_swift_on_path
  log "bench-hostile: building the release binaries"
  swift build -c release --scratch-path .build-release --product gantry
  swift build -c release --scratch-path .build-release --product gantry-bench
fi
BIN="${ROOT}/.build-release/release"

HTTP_PORT="${BENCH_PORT:-$(free_port)}"
GW_PORT="${BENCH_SSH_PORT:-$(free_port)}"
SERVER="http://127.0.0.1:${HTTP_PORT}"
PASSWORD="bench-pass-1"
DATA="$(mktemp -d /tmp/gantry-bench-hostile.XXXXXX)"

cleanup() {
  if [[ -n "${GANTRY_PID:-}" ]] && kill -0 "$GANTRY_PID" 2>/dev/null; then
    [[ -n "${SESSION_ID:-}" ]] && curl -fsS -X DELETE -H "Authorization: Bearer ${TOKEN}" \
      "${SERVER}/api/v1/sessions/${SESSION_ID}" >/dev/null 2>&1 || true
    kill -TERM "$GANTRY_PID" 2>/dev/null || true
    wait "$GANTRY_PID" 2>/dev/null || true
  fi
  [[ -n "${CONTAINER:-}" ]] && docker rm -f "$CONTAINER" >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N "" -f "$DATA/id_ed25519"

log "bench-hostile: starting gantry serve (HTTP ${HTTP_PORT}, SSH ${GW_PORT})"
GANTRY_DATA_DIR="$DATA/gantry" GANTRY_HTTP_ADDR="127.0.0.1:${HTTP_PORT}" GANTRY_ADMIN_PASSWORD="$PASSWORD" \
GANTRY_SSH_ADDR="127.0.0.1:${GW_PORT}" GANTRY_NODE_ADDRESS=127.0.0.1 GANTRY_LOG_LEVEL=error \
GANTRY_SESSION_IMAGE=gantry-test/session:latest GANTRY_SESSION_NETWORK=gantry-bench-sessions \
GANTRY_SESSION_CPU=1 GANTRY_SESSION_MEMORY_MB=512 GANTRY_NVIDIA_SMI=/nonexistent \
GANTRY_JOB_CONCURRENCY=0 GANTRY_RATE_LIMIT_JOBS_PER_MINUTE=0 \
  "$BIN/gantry" serve >"$DATA/gantry.log" 2>&1 &
GANTRY_PID=$!
for _ in $(seq 1 100); do
  curl -fsS "${SERVER}/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "${SERVER}/health" >/dev/null || { tail -n 30 "$DATA/gantry.log"; die "gantry did not start"; }

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
TOKEN=$(curl -fsS -X POST -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"${PASSWORD}\"}" "${SERVER}/api/v1/auth/token" | json '["access_token"]')
curl -fsS -X POST -H "Authorization: Bearer ${TOKEN}" -H 'Content-Type: application/json' \
  -d "$(python3 -c 'import json,sys; print(json.dumps({"name":"bench","public_key":open(sys.argv[1]).read()}))' "$DATA/id_ed25519.pub")" \
  "${SERVER}/api/v1/users/me/ssh-keys" >/dev/null
SESSION=$(curl -fsS -X POST -H "Authorization: Bearer ${TOKEN}" -H 'Content-Type: application/json' \
  -d '{"user_id":"admin","mig_profile":"none","ttl_minutes":60}' "${SERVER}/api/v1/sessions")
SESSION_ID=$(json '["session_id"]' <<<"$SESSION")
CONTAINER=$(json '["container_id"]' <<<"$SESSION")

"$BIN/gantry-bench" hostile --server "$SERVER" --password "$PASSWORD" --pid "$GANTRY_PID" \
  --seconds "${BENCH_HOSTILE_SECONDS:-10}" --settle "${BENCH_HOSTILE_SETTLE:-60}" \
  --ssh-port "$GW_PORT" --ssh-key "$DATA/id_ed25519"
