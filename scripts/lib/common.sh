#!/usr/bin/env bash
# Shared helpers for Gantry's setup scripts. Source it; it does nothing on its own.
# Idempotent to source more than once.

if [[ -n "${_GANTRY_COMMON_SH:-}" ]]; then return 0 2>/dev/null || exit 0; fi
_GANTRY_COMMON_SH=1

GANTRY_LOCK_DIR="${GANTRY_LOCK_DIR:-/var/lock}"

log()  { printf '[gantry] %s\n' "$*" >&2; }
warn() { printf '[gantry] WARNING: %s\n' "$*" >&2; }
die()  { printf '[gantry] ERROR: %s\n' "$*" >&2; exit 1; }

# Run as root directly, otherwise through sudo (if there is one).
as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root for: $*"
  fi
}

# pkg_installed PKG: true when dpkg says PKG is installed.
pkg_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

# apt_ensure PKG...: install the packages that are missing (apt-get update once per process tree).
apt_ensure() {
  local missing=() p
  for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing missing apt packages: ${missing[*]}"
  (
    # Serialise apt runs between concurrently running gantry scripts.
    exec 8>"${GANTRY_LOCK_DIR}/gantry-apt.lock"
    flock 8
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 NEEDRESTART_MODE=l
    local aptlog="${GANTRY_APT_LOG:-/var/log/gantry-apt.log}"
    if [[ -z "${GANTRY_APT_UPDATED:-}" ]]; then
      log "apt-get update"
      as_root apt-get update -qq >>"$aptlog" 2>&1 \
        || { tail -n 20 "$aptlog" >&2; die "apt-get update failed (log: $aptlog)"; }
    fi
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$aptlog" 2>&1 \
      || { tail -n 30 "$aptlog" >&2; die "apt-get install ${missing[*]} failed (log: $aptlog)"; }
    log "installed: ${missing[*]}"
  )
  export GANTRY_APT_UPDATED=1
}

# Put the Swift toolchain on PATH when it is not there yet.
ensure_swift_on_path() {
  if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:${PATH}"
  fi
  command -v swift >/dev/null 2>&1 || die "swift not found (looked on PATH and in /opt/swift/usr/bin)"
}

# close_extra_fds: close every file descriptor above 2 in the current (sub)shell.
# Use it in a subshell right before exec-ing a long-lived daemon, so the daemon
# keeps neither our flock fds nor a caller's pipes (a CI runner waiting for EOF
# on its output pipe would otherwise hang until the daemon exits).
close_extra_fds() {
  local fd
  for fd in /proc/"${BASHPID}"/fd/*; do
    fd="${fd##*/}"
    [[ "$fd" =~ ^[0-9]+$ ]] || continue
    (( fd > 2 )) || continue
    { eval "exec ${fd}>&-"; } 2>/dev/null || true
  done
}

# Prints a TCP port on 127.0.0.1 that nothing listens on now, chosen by the kernel, so throwaway
# servers never collide with a Gantry (or anything else) already running on this host.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Prints the first port of a run of COUNT consecutive free TCP ports on 127.0.0.1 (for port ranges).
free_port_range() {
  python3 - "$1" <<'PY'
import random, socket, sys
count = int(sys.argv[1])
for _ in range(200):
    start = random.randrange(20000, 60000 - count)
    sockets = []
    try:
        for port in range(start, start + count):
            s = socket.socket()
            s.bind(("127.0.0.1", port))
            sockets.append(s)
    except OSError:
        continue
    finally:
        for s in sockets:
            s.close()
    print(start)
    sys.exit(0)
sys.exit("no free run of %d ports" % count)
PY
}
