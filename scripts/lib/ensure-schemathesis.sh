#!/usr/bin/env bash
# ensure_schemathesis: what the API contract test (Tests/GantryIntegrationTests/APIContractTests)
# needs: ${ROOT}/.venv-schemathesis, a Python virtualenv (Debian's python3 + python3-venv) with
# schemathesis ${GANTRY_SCHEMATHESIS_VERSION}, installed only when missing.
#
# Idempotent and quick when everything is in place: no pip run then.
# Source it and call `ensure_schemathesis`, or run it directly (it prints the schemathesis path).

_ENSURE_SCHEMATHESIS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "${_ENSURE_SCHEMATHESIS_DIR}/common.sh"

GANTRY_SCHEMATHESIS_VERSION="4.32.5"
GANTRY_SCHEMATHESIS_VENV="${ROOT:-$(cd "${_ENSURE_SCHEMATHESIS_DIR}/../.." && pwd)}/.venv-schemathesis"

_schemathesis_version() {
  [[ -x "${GANTRY_SCHEMATHESIS_VENV}/bin/python" ]] || return 0
  "${GANTRY_SCHEMATHESIS_VENV}/bin/python" -c \
    'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true
}

_ensure_schemathesis_locked() {
  local py=/usr/bin/python3
  [[ -x "$py" ]] || apt_ensure python3
  if [[ ! -x "${GANTRY_SCHEMATHESIS_VENV}/bin/python" ]] \
    || ! "${GANTRY_SCHEMATHESIS_VENV}/bin/python" -c 'import sys' 2>/dev/null; then
    "$py" -c 'import ensurepip, venv' 2>/dev/null || apt_ensure python3-venv
    log "schemathesis: creating virtualenv ${GANTRY_SCHEMATHESIS_VENV}"
    rm -rf "${GANTRY_SCHEMATHESIS_VENV}"
    "$py" -m venv "${GANTRY_SCHEMATHESIS_VENV}" >&2 || die "schemathesis: python3 -m venv failed"
  fi
  if [[ "$(_schemathesis_version)" != "${GANTRY_SCHEMATHESIS_VERSION}" ]]; then
    log "schemathesis: pip install schemathesis==${GANTRY_SCHEMATHESIS_VERSION}"
    "${GANTRY_SCHEMATHESIS_VENV}/bin/python" -m pip install --quiet --disable-pip-version-check \
      "schemathesis==${GANTRY_SCHEMATHESIS_VERSION}" >&2 \
      || die "schemathesis: pip install schemathesis==${GANTRY_SCHEMATHESIS_VERSION} failed"
    [[ "$(_schemathesis_version)" == "${GANTRY_SCHEMATHESIS_VERSION}" ]] \
      || die "schemathesis: ${GANTRY_SCHEMATHESIS_VERSION} still not importable from ${GANTRY_SCHEMATHESIS_VENV}"
  fi
}

ensure_schemathesis() {
  if [[ "$(_schemathesis_version)" == "${GANTRY_SCHEMATHESIS_VERSION}" ]]; then
    log "schemathesis: ${GANTRY_SCHEMATHESIS_VERSION} present (${GANTRY_SCHEMATHESIS_VENV})"
  else
    (
      exec 7>"${GANTRY_LOCK_DIR}/gantry-schemathesis.lock"
      flock 7
      _ensure_schemathesis_locked
    ) || die "schemathesis: setting it up failed"
    log "schemathesis: ready (${GANTRY_SCHEMATHESIS_VERSION} in ${GANTRY_SCHEMATHESIS_VENV})"
  fi
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  ensure_schemathesis "$@"
  echo "${GANTRY_SCHEMATHESIS_VENV}/bin/schemathesis"
fi
