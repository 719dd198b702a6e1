#!/usr/bin/env bash
# Gantry's job benchmarks (seed 003), each printed beside a baseline measured in the same run:
#   - schema-validation: job input checked against the classifier's input schema, in memory,
#     against decoding the same bytes into a hand-written Codable struct;
#   - job-queue: the queue alone (no-op executor, no containers) on SQLite and on PostgreSQL,
#     jobs completed per second against one bare UPDATE per job, and the enqueue rate against
#     one bare INSERT per job;
#   - job-e2e: jobs of the no-op plugin container end to end against `docker run --rm -i` of
#     the same image at the same concurrency;
#   - job-submit: POST /api/v1/jobs p50/p99 under 32 connections against GET /health and
#     GET /api/v1/users/me under the same load.
# Builds the release gantry-bench; each benchmark runs its own server or store in process on a
# throwaway database (a temporary SQLite file, or a fresh PostgreSQL database it drops after).
#
# Environment: BENCH_SKIP_SETUP=1 skips scripts/setup.sh (Docker, test images, PostgreSQL);
#   BENCH_JOBS (5000), BENCH_WORKERS (32), BENCH_E2E_JOBS (40), BENCH_E2E_CONCURRENCY (4),
#   BENCH_REQUESTS (2000), BENCH_CONNECTIONS (32), BENCH_PROFILE=1 adds job-queue's breakdown
#   of where a job's time goes; GANTRY_TEST_POSTGRES_URL names the PostgreSQL server.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=lib/common.sh
source "${ROOT}/scripts/lib/common.sh"

if [[ "${BENCH_SKIP_SETUP:-0}" != 1 ]]; then
  bash "${ROOT}/scripts/setup.sh"
fi
ensure_swift_on_path
export GANTRY_TEST_POSTGRES_URL="${GANTRY_TEST_POSTGRES_URL:-postgres://gantry:gantry@127.0.0.1:5432/postgres}"

log "bench-jobs: building the release gantry-bench"
swift build -c release --scratch-path .build-release --product gantry-bench
BENCH="${ROOT}/.build-release/release/gantry-bench"

PROFILE=()
[[ "${BENCH_PROFILE:-0}" == 1 ]] && PROFILE=(--profile)

log "bench-jobs: schema validation"
"$BENCH" schema-validation

for database in sqlite postgres; do
  log "bench-jobs: job queue on ${database}"
  "$BENCH" job-queue --database "$database" --jobs "${BENCH_JOBS:-5000}" --workers "${BENCH_WORKERS:-32}" \
    "${PROFILE[@]}"
done

log "bench-jobs: jobs end to end with gantry-test/plugin-noop"
"$BENCH" job-e2e --jobs "${BENCH_E2E_JOBS:-40}" --concurrency "${BENCH_E2E_CONCURRENCY:-4}"

log "bench-jobs: job submission latency"
"$BENCH" job-submit --requests "${BENCH_REQUESTS:-2000}" --connections "${BENCH_CONNECTIONS:-32}"
