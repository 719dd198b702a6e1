#!/usr/bin/env bash
# Prepare this machine (Debian 12) for building, testing and running Gantry:
#   apt tools, Python's openapi-spec-validator, Docker Engine (dockerd started
#   in the background, no init system needed), local test images, PostgreSQL, and
#   the dashboard tests' browser (chromium, chromium-driver, Selenium in .venv-browser) and the
#   API contract test's schemathesis (in .venv-schemathesis).
# Idempotent and quick when everything is already in place.
#
# Usage: scripts/setup.sh [--no-postgres] [--no-browser]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/ensure-test-images.sh
source "${ROOT}/scripts/lib/ensure-test-images.sh"   # also ensure_docker + common
# shellcheck source=lib/ensure-postgres.sh
source "${ROOT}/scripts/lib/ensure-postgres.sh"
# shellcheck source=lib/ensure-browser.sh
source "${ROOT}/scripts/lib/ensure-browser.sh"
# shellcheck source=lib/ensure-schemathesis.sh
source "${ROOT}/scripts/lib/ensure-schemathesis.sh"

with_postgres=1
with_browser=1
for arg in "$@"; do
  case "$arg" in
    --no-postgres) with_postgres=0 ;;
    --no-browser) with_browser=0 ;;
    -h|--help) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "setup: unknown argument '$arg' (try --help)" ;;
  esac
done

t0=$SECONDS
log "setup: starting$([[ $with_postgres == 0 ]] && echo ' (--no-postgres)')"

# openssh-server: the SSH benchmark's baseline sshd (never started as a service).
apt_ensure curl wrk openssh-client openssh-server openssh-sftp-server ca-certificates

ensure_openapi_spec_validator() {
  command -v python3 >/dev/null 2>&1 || apt_ensure python3 python3-pip
  # find_spec instead of a real import: same answer here, a third of the time.
  if python3 -c 'import importlib.util as u, sys; sys.exit(u.find_spec("openapi_spec_validator") is None)' >/dev/null 2>&1; then
    log "python: openapi-spec-validator present"
    return 0
  fi
  python3 -m pip --version >/dev/null 2>&1 || apt_ensure python3-pip
  log "python: pip install openapi-spec-validator"
  if ! python3 -m pip install --quiet --disable-pip-version-check openapi-spec-validator >&2; then
    # Debian's system python refuses (PEP 668 "externally-managed-environment").
    log "python: retrying with --break-system-packages"
    python3 -m pip install --quiet --disable-pip-version-check --break-system-packages openapi-spec-validator >&2 \
      || die "python: could not install openapi-spec-validator"
  fi
  python3 -c 'import openapi_spec_validator' || die "python: openapi_spec_validator still not importable"
}
ensure_openapi_spec_validator

if command -v swift >/dev/null 2>&1 || [[ -x /opt/swift/usr/bin/swift ]]; then
  ensure_swift_on_path
  log "swift: $(command -v swift)"
else
  warn "swift: not found on PATH nor in /opt/swift/usr/bin (needed to build Gantry)"
fi

ensure_docker
ensure_test_images
if (( with_browser )); then
  ensure_browser
  ensure_schemathesis
fi
if (( with_postgres )); then
  ensure_postgres
fi

log "setup: done in $((SECONDS - t0))s"
