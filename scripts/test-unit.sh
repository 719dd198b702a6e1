#!/usr/bin/env bash
# The unit tier: pure tests of the core, the JSON Schema engine, the services (on in-memory twins),
# the CLI, the nvidia-smi parsers
# and the Docker adapter's request mapping. Needs no Docker, PostgreSQL or browser; installs nothing.
# Extra arguments go to `swift test`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=lib/common.sh
source "${ROOT}/scripts/lib/common.sh"
ensure_swift_on_path

unit='^(GantryCoreTests|GantryJSONSchemaTests|GantryServicesTests|GantryCLITests|NvidiaSMITests)\.'
unit+='|^DockerEngineTests\.(DockerEngineMappingTests|DockerEngineHostTests|DockerLogDemultiplexerTests|ImageReferenceTests)'
log "test-unit: swift test --filter '${unit}' $*"
exec swift test --filter "${unit}" "$@"
