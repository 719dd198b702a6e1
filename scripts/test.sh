#!/usr/bin/env bash
# The whole test suite: set the machine up (Docker, test images, PostgreSQL),
# then build and run the Swift tests against the real services.
# Extra arguments go to `swift test` (e.g. --filter SomeTests).
# Exit status: that of `swift test` (or of the step that failed before it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=lib/common.sh
source "${ROOT}/scripts/lib/common.sh"

bash "${ROOT}/scripts/setup.sh"
ensure_swift_on_path

export GANTRY_TEST_POSTGRES_URL="postgres://gantry:gantry@127.0.0.1:5432/postgres"
export GANTRY_TEST_DOCKER_HOST="unix:///var/run/docker.sock"

log "test: swift format lint (configuration in .swift-format)"
swift format lint --strict --recursive Sources Tests Plugins Package.swift

log "test: swift build --build-tests"
swift build --build-tests

# The integration tests each run a server, containers and OpenSSH clients; on a 2-core machine
# running all of them at once starves them into timeouts, so at most this many run together.
width="${GANTRY_TEST_PARALLELISM:-6}"
log "test: swift test --experimental-maximum-parallelization-width ${width} $*"
set +e
swift test --experimental-maximum-parallelization-width "${width}" "$@"
rc=$?
set -e
log "test: swift test exited with $rc"
exit "$rc"
