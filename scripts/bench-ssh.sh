#!/usr/bin/env bash
# SSH gateway benchmarks, each beside baselines measured in the same run:
#   - throughput: 1 GiB through `ssh … 'cat > /dev/null'` via the gateway, against the same
#     transfer to an OpenSSH sshd on this host with the same cipher (one SSH hop: the physical
#     limit here) and against `docker exec -i … cat > /dev/null` (no SSH at all);
#   - time to a shell: `ssh … true` via the gateway against `docker exec … true` (median of N);
#   - 50 concurrent SSH sessions running commands, with the failure count.
# Builds the release binary, starts a throwaway `gantry serve` and `sshd`, cleans up after itself.
# Usage: scripts/bench-ssh.sh   (BENCH_SSH_BYTES, BENCH_SSH_RUNS, BENCH_SSH_CIPHER override)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=lib/common.sh
source "${ROOT}/scripts/lib/common.sh"

if [[ "${BENCH_SKIP_SETUP:-0}" != 1 ]]; then
  bash "${ROOT}/scripts/setup.sh" --no-postgres
  ensure_swift_on_path
  log "bench-ssh: building the release binary"
  swift build -c release --scratch-path .build-release --product gantry
fi
BIN="${ROOT}/.build-release/release"

BYTES="${BENCH_SSH_BYTES:-1073741824}"
RUNS="${BENCH_SSH_RUNS:-20}"
CIPHER="${BENCH_SSH_CIPHER:-aes128-gcm@openssh.com}"
HTTP_PORT="${BENCH_PORT:-$(free_port)}"
GW_PORT="${BENCH_SSH_PORT:-$(free_port)}"
SSHD_PORT="${BENCH_SSHD_PORT:-$(free_port)}"
SERVER="http://127.0.0.1:${HTTP_PORT}"
PASSWORD="bench-pass-1"
DATA="$(mktemp -d /tmp/gantry-bench-ssh.XXXXXX)"

cleanup() {
  [[ -n "${SSHD_PID:-}" ]] && kill "$SSHD_PID" 2>/dev/null || true
  if [[ -n "${GANTRY_PID:-}" ]] && kill -0 "$GANTRY_PID" 2>/dev/null; then
    [[ -n "${SESSION_ID:-}" ]] && curl -fsS -X DELETE -H "Authorization: Bearer ${TOKEN}" \
      "${SERVER}/api/v1/sessions/${SESSION_ID}" >/dev/null 2>&1 || true
    kill -TERM "$GANTRY_PID" 2>/dev/null || true
    wait "$GANTRY_PID" 2>/dev/null || true
  fi
  # Whatever the API could not end, the engine removes.
  [[ -n "${CONTAINER:-}" ]] && docker rm -f "$CONTAINER" >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N "" -f "$DATA/id_ed25519"
ssh-keygen -q -t ed25519 -N "" -f "$DATA/sshd_host_key"
SSH_OPTS=(-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes
  -o BatchMode=yes -o LogLevel=ERROR -i "$DATA/id_ed25519" -c "$CIPHER")

# The baseline: OpenSSH's own sshd on loopback, the same key and cipher.
mkdir -p /run/sshd
cp "$DATA/id_ed25519.pub" "$DATA/authorized_keys"
chmod 600 "$DATA/authorized_keys"
cat >"$DATA/sshd_config" <<CONF
Port ${SSHD_PORT}
ListenAddress 127.0.0.1
HostKey ${DATA}/sshd_host_key
AuthorizedKeysFile ${DATA}/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
Ciphers ${CIPHER}
PidFile ${DATA}/sshd.pid
CONF
/usr/sbin/sshd -D -f "$DATA/sshd_config" -E "$DATA/sshd.log" &
SSHD_PID=$!

log "bench-ssh: starting gantry serve (HTTP ${HTTP_PORT}, SSH ${GW_PORT})"
# 50 concurrent logins from one address are a burst the default startup limits (10 per address)
# would partly refuse, as OpenSSH's MaxStartups does: this host is allowed the burst.
GANTRY_SSH_PER_SOURCE_MAX_STARTUPS=64 GANTRY_SSH_MAX_STARTUPS=64:30:128 \
GANTRY_DATA_DIR="$DATA/gantry" GANTRY_HTTP_ADDR="127.0.0.1:${HTTP_PORT}" GANTRY_ADMIN_PASSWORD="$PASSWORD" \
GANTRY_SSH_ADDR="127.0.0.1:${GW_PORT}" GANTRY_NODE_ADDRESS=127.0.0.1 GANTRY_LOG_LEVEL=warning \
GANTRY_SESSION_IMAGE=gantry-test/session:latest GANTRY_SESSION_NETWORK=gantry-bench-sessions \
GANTRY_SESSION_CPU=1 GANTRY_SESSION_MEMORY_MB=512 GANTRY_NVIDIA_SMI=/nonexistent \
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

seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null; end=$(date +%s.%N); awk -v a="$end" -v b="$start" 'BEGIN { print a - b }'; }
push_gateway() { head -c "$BYTES" /dev/zero | ssh "${SSH_OPTS[@]}" -p "$GW_PORT" admin@127.0.0.1 'cat > /dev/null'; }
push_sshd() { head -c "$BYTES" /dev/zero | ssh "${SSH_OPTS[@]}" -p "$SSHD_PORT" root@127.0.0.1 'cat > /dev/null'; }
push_exec() { head -c "$BYTES" /dev/zero | docker exec -i "$CONTAINER" sh -c 'cat > /dev/null'; }

push_gateway  # warm-up: first connection, page cache
GW=$(seconds push_gateway); SSHD=$(seconds push_sshd); EXEC=$(seconds push_exec)
awk -v b="$BYTES" -v g="$GW" -v s="$SSHD" -v e="$EXEC" -v c="$CIPHER" 'BEGIN {
  mib = b / 1048576
  printf "ssh throughput (%s, %d MiB): gateway %.2f s (%.0f MiB/s)\n", c, mib, g, mib / g
  printf "  baseline OpenSSH sshd %.2f s (%.0f MiB/s)   ratio %.2fx (target >= 0.9)\n", s, mib / s, s / g
  printf "  baseline docker exec -i %.2f s (%.0f MiB/s)   ratio %.2fx\n", e, mib / e, e / g }'

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
GW_SHELL=$(for _ in $(seq 1 "$RUNS"); do seconds ssh "${SSH_OPTS[@]}" -p "$GW_PORT" admin@127.0.0.1 true; done | median)
SSHD_SHELL=$(for _ in $(seq 1 "$RUNS"); do seconds ssh "${SSH_OPTS[@]}" -p "$SSHD_PORT" root@127.0.0.1 true; done | median)
EXEC_SHELL=$(for _ in $(seq 1 "$RUNS"); do seconds docker exec "$CONTAINER" true; done | median)
awk -v g="$GW_SHELL" -v s="$SSHD_SHELL" -v e="$EXEC_SHELL" -v n="$RUNS" 'BEGIN {
  printf "time to a command (median of %d): gateway %.0f ms   baseline docker exec %.0f ms (ratio %.2fx)   OpenSSH sshd %.0f ms (ratio %.2fx)\n",
    n, g * 1000, e * 1000, g / e, s * 1000, g / s }'

START=$(date +%s.%N)
PIDS=()
for i in $(seq 1 50); do
  ( ssh "${SSH_OPTS[@]}" -p "$GW_PORT" admin@127.0.0.1 "echo run-$i" >"$DATA/c$i.out" 2>"$DATA/c$i.err"; echo $? >"$DATA/c$i.rc" ) &
  PIDS+=($!)
done
wait "${PIDS[@]}" || true
END=$(date +%s.%N)
FAILED=0; for i in $(seq 1 50); do [[ "$(cat "$DATA/c$i.rc")" == 0 && "$(cat "$DATA/c$i.out")" == "run-$i" ]] || FAILED=$((FAILED + 1)); done
awk -v t="$(awk -v a="$END" -v b="$START" 'BEGIN { print a - b }')" -v f="$FAILED" 'BEGIN {
  printf "50 concurrent ssh sessions: %d failed, all done in %.2f s\n", f, t }'
