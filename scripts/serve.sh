#!/usr/bin/env bash
# Build Gantry (release) and run `gantry serve`. Arguments go to `gantry serve`.
# Sets up Docker and the local test images first (PostgreSQL is not needed here).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=lib/common.sh
source "${ROOT}/scripts/lib/common.sh"

bash "${ROOT}/scripts/setup.sh" --no-postgres --no-browser
ensure_swift_on_path

log "serve: swift build -c release --scratch-path .build-release --product gantry"
swift build -c release --scratch-path .build-release --product gantry

log "serve: exec .build-release/release/gantry serve $*"
exec "${ROOT}/.build-release/release/gantry" serve "$@"
