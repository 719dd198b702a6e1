#!/usr/bin/env bash
# ensure_browser: what the dashboard's browser tests (Tests/Browser/*.py) need:
#
#   chromium, chromium-driver   Debian's packages (/usr/bin/chromium, /usr/bin/chromedriver),
#                               run headless by the tests
#   ${ROOT}/.venv-browser       a Python virtualenv (Debian's python3 + python3-venv) with
#                               selenium ${GANTRY_SELENIUM_VERSION}, installed only when missing
#
# Idempotent and quick when everything is in place: no apt or pip run then.
#
# Source it and call `ensure_browser`, or run it directly. When run directly it
# prints the virtualenv's python.

_ENSURE_BROWSER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "${_ENSURE_BROWSER_DIR}/common.sh"

GANTRY_SELENIUM_VERSION="4.51.0"
GANTRY_BROWSER_VENV="${ROOT:-$(cd "${_ENSURE_BROWSER_DIR}/../.." && pwd)}/.venv-browser"
GANTRY_CHROMIUM="/usr/bin/chromium"
GANTRY_CHROMEDRIVER="/usr/bin/chromedriver"

# The venv's selenium version, or nothing.
_browser_selenium_version() {
  [[ -x "${GANTRY_BROWSER_VENV}/bin/python" ]] || return 0
  "${GANTRY_BROWSER_VENV}/bin/python" -c \
    'import importlib.metadata as m; print(m.version("selenium"))' 2>/dev/null || true
}

_ensure_browser_locked() {
  # Debian's browser and its WebDriver (the same version by construction).
  apt_ensure chromium chromium-driver
  [[ -x "${GANTRY_CHROMIUM}" ]] || die "browser: ${GANTRY_CHROMIUM} is missing after installing chromium"
  [[ -x "${GANTRY_CHROMEDRIVER}" ]] || die "browser: ${GANTRY_CHROMEDRIVER} is missing after installing chromium-driver"

  # The virtualenv, on Debian's python3 (python3-venv provides ensurepip for it).
  local py=/usr/bin/python3
  [[ -x "$py" ]] || apt_ensure python3
  if [[ ! -x "${GANTRY_BROWSER_VENV}/bin/python" ]] || ! "${GANTRY_BROWSER_VENV}/bin/python" -c 'import sys' 2>/dev/null; then
    "$py" -c 'import ensurepip, venv' 2>/dev/null || apt_ensure python3-venv
    log "browser: creating virtualenv ${GANTRY_BROWSER_VENV}"
    rm -rf "${GANTRY_BROWSER_VENV}"
    "$py" -m venv "${GANTRY_BROWSER_VENV}" >&2 || die "browser: python3 -m venv ${GANTRY_BROWSER_VENV} failed"
  fi

  if [[ "$(_browser_selenium_version)" != "${GANTRY_SELENIUM_VERSION}" ]]; then
    log "browser: pip install selenium==${GANTRY_SELENIUM_VERSION}"
    "${GANTRY_BROWSER_VENV}/bin/python" -m pip install --quiet --disable-pip-version-check \
      "selenium==${GANTRY_SELENIUM_VERSION}" >&2 \
      || die "browser: pip install selenium==${GANTRY_SELENIUM_VERSION} failed"
    [[ "$(_browser_selenium_version)" == "${GANTRY_SELENIUM_VERSION}" ]] \
      || die "browser: selenium ${GANTRY_SELENIUM_VERSION} still not importable from ${GANTRY_BROWSER_VENV}"
  fi
}

ensure_browser() {
  if [[ -x "${GANTRY_CHROMIUM}" && -x "${GANTRY_CHROMEDRIVER}" ]] && pkg_installed chromium \
    && pkg_installed chromium-driver && [[ "$(_browser_selenium_version)" == "${GANTRY_SELENIUM_VERSION}" ]]; then
    log "browser: chromium, chromedriver and selenium ${GANTRY_SELENIUM_VERSION} present (${GANTRY_BROWSER_VENV})"
  else
    (
      # One installer at a time (concurrent setup/test runs would share the venv).
      exec 6>"${GANTRY_LOCK_DIR}/gantry-browser.lock"
      flock 6
      _ensure_browser_locked
    ) || die "browser: setting up chromium + selenium failed"
    log "browser: ready ($("${GANTRY_CHROMIUM}" --version 2>/dev/null | head -n 1), selenium ${GANTRY_SELENIUM_VERSION} in ${GANTRY_BROWSER_VENV})"
  fi
  export GANTRY_BROWSER_VENV
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  ensure_browser "$@"
  echo "${GANTRY_BROWSER_VENV}/bin/python"
fi
