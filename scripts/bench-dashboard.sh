#!/usr/bin/env bash
# The dashboard's render benchmark (issue 5), each figure beside baselines from the same run:
# the instances page with 100 instances and the overview, signed in as the admin, p50 / p99 over
# sequential requests, against the same 100 instances as JSON (GET /api/v1/instances?limit=100)
# and GET /health. Target: p99 < 20 ms. Runs an in-process server on a throwaway database.
#
# Environment: BENCH_SKIP_SETUP=1 skips scripts/setup.sh; BENCH_REQUESTS (500);
#   BENCH_DATABASE (sqlite or postgres); GANTRY_TEST_POSTGRES_URL names the PostgreSQL server.
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

log "bench-dashboard: building the release gantry-bench"
swift build -c release --scratch-path .build-release --product gantry-bench

log "bench-dashboard: render times"
"${ROOT}/.build-release/release/gantry-bench" dashboard-render \
  --requests "${BENCH_REQUESTS:-500}" --database "${BENCH_DATABASE:-sqlite}"
