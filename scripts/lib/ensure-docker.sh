#!/usr/bin/env bash
# ensure_docker: make sure a Docker Engine answers on /var/run/docker.sock.
#
#   * installs Debian's docker.io when dockerd/docker are missing;
#   * makes sure cgroups are mounted and iptables works (falls back to
#     iptables-legacy, then to --iptables=false);
#   * starts dockerd in the background (no init system needed), logging to
#     /var/log/gantry-dockerd.log, and waits up to 60 s for /_ping;
#   * if dockerd dies with the default storage driver (overlay2), retries with vfs.
#
# Source it and call `ensure_docker`, or run it directly.
# Env knobs: GANTRY_DOCKER_STORAGE_DRIVER (force a storage driver),
#            GANTRY_DOCKERD_ARGS (extra dockerd flags, word-split),
#            GANTRY_DOCKER_WAIT_S (default 60).

_ENSURE_DOCKER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "${_ENSURE_DOCKER_DIR}/common.sh"

GANTRY_DOCKER_SOCK="${GANTRY_DOCKER_SOCK:-/var/run/docker.sock}"
GANTRY_DOCKERD_LOG="${GANTRY_DOCKERD_LOG:-/var/log/gantry-dockerd.log}"
GANTRY_DOCKER_WAIT_S="${GANTRY_DOCKER_WAIT_S:-60}"
# Remembers a storage driver that had to be forced (e.g. vfs) for later starts.
GANTRY_DOCKER_STATE_DIR="${GANTRY_DOCKER_STATE_DIR:-/var/lib/gantry}"

# docker CLI pinned to our socket (ignores a DOCKER_HOST/context pointing elsewhere).
gdocker() { docker -H "unix://${GANTRY_DOCKER_SOCK}" "$@"; }

docker_ping() {
  [[ -S "${GANTRY_DOCKER_SOCK}" ]] || return 1
  [[ "$(curl -sS --max-time 3 --unix-socket "${GANTRY_DOCKER_SOCK}" http://localhost/_ping 2>/dev/null || true)" == "OK" ]]
}

# pid of the running dockerd that owns our socket (from its pid file), or nothing.
_dockerd_pid() {
  local f pid
  for f in /var/run/docker.pid /var/run/docker-ssd.pid; do
    [[ -r "$f" ]] || continue
    pid="$(cat "$f" 2>/dev/null || true)"
    if [[ -n "$pid" && -d "/proc/$pid" && "$(cat "/proc/$pid/comm" 2>/dev/null)" == "dockerd" ]]; then
      echo "$pid"; return 0
    fi
  done
  return 1
}

# Wait until /_ping answers, up to $1 seconds; stop early if pid $2 (optional) died.
_wait_for_docker() {
  local pid="${2:-}" deadline=$((SECONDS + $1))
  while (( SECONDS < deadline )); do
    docker_ping && return 0
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null && ! _dockerd_pid >/dev/null; then return 1; fi
    sleep 0.25
  done
  docker_ping
}

_ensure_cgroups() {
  if grep -qE '^[^ ]+ /sys/fs/cgroup(/[^ ]*)? cgroup2? ' /proc/mounts; then return 0; fi
  log "docker: no cgroup filesystem mounted; mounting one"
  as_root mkdir -p /sys/fs/cgroup
  if grep -qw cgroup2 /proc/filesystems && as_root mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup 2>/dev/null; then
    log "docker: mounted cgroup2 on /sys/fs/cgroup"
    return 0
  fi
  # cgroup v1, cgroupfs-mount style.
  mountpoint -q /sys/fs/cgroup || as_root mount -t tmpfs -o uid=0,gid=0,mode=0755 cgroup /sys/fs/cgroup
  local ss
  for ss in $(awk '!/^#/ { if ($4 == 1) print $1 }' /proc/cgroups); do
    as_root mkdir -p "/sys/fs/cgroup/$ss"
    mountpoint -q "/sys/fs/cgroup/$ss" || as_root mount -n -t cgroup -o "$ss" cgroup "/sys/fs/cgroup/$ss" || true
  done
  log "docker: mounted cgroup v1 hierarchies"
}

# Prints extra dockerd flags needed for networking (possibly none).
_ensure_iptables() {
  if iptables -t nat -S >/dev/null 2>&1 && iptables -t filter -S >/dev/null 2>&1; then return 0; fi
  warn "docker: 'iptables' ($(readlink -f "$(command -v iptables)" 2>/dev/null || echo '?')) does not work here"
  if command -v iptables-legacy >/dev/null 2>&1 && iptables-legacy -t nat -S >/dev/null 2>&1; then
    log "docker: switching iptables to the legacy backend (update-alternatives)"
    as_root update-alternatives --set iptables /usr/sbin/iptables-legacy >&2 || true
    as_root update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy >&2 2>/dev/null || true
    if iptables -t nat -S >/dev/null 2>&1; then return 0; fi
  fi
  warn "docker: no working iptables; starting dockerd with --iptables=false (ports are published by docker-proxy only)"
  echo "--iptables=false"
}

# Start dockerd with the given flags; returns 0 once /_ping answers.
_start_dockerd() {
  local start_off pid
  as_root mkdir -p "$(dirname "${GANTRY_DOCKERD_LOG}")"
  start_off="$(stat -c %s "${GANTRY_DOCKERD_LOG}" 2>/dev/null || echo 0)"
  log "docker: starting dockerd $* (log: ${GANTRY_DOCKERD_LOG})"
  printf '\n==== %s gantry: dockerd %s ====\n' "$(date -Is)" "$*" | as_root tee -a "${GANTRY_DOCKERD_LOG}" >/dev/null
  # setsid: own session, so Ctrl-C / the CI job's process group does not take it down.
  # The subshell execs (no fork: it is not a process-group leader), so $! is dockerd's pid.
  # Inherited fds are closed so the daemon holds neither our flock nor a caller's pipe.
  (
    close_extra_fds
    if [[ "$(id -u)" -eq 0 ]]; then exec setsid nohup dockerd "$@"
    else exec sudo -n setsid nohup dockerd "$@"; fi
  ) </dev/null >>"${GANTRY_DOCKERD_LOG}" 2>&1 &
  pid=$!
  if _wait_for_docker "${GANTRY_DOCKER_WAIT_S}" "$pid"; then
    return 0
  fi
  # Failed: stop what is left of it, show why.
  local real
  real="$(_dockerd_pid || true)"
  [[ -n "$real" ]] && as_root kill "$real" 2>/dev/null || true
  kill "$pid" 2>/dev/null || true
  sleep 1
  warn "docker: dockerd $* did not come up; last log lines:"
  # (grpc "[core]" chatter filtered out: it buries the actual error)
  tail -c +"$((start_off + 1))" "${GANTRY_DOCKERD_LOG}" | grep -v '\[core\]' | tail -n 25 >&2 || true
  return 1
}

_ensure_docker_locked() {
  if docker_ping; then
    log "docker: already running on ${GANTRY_DOCKER_SOCK}"
    return 0
  fi

  if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    apt_ensure docker.io
    hash -r
    # The package's maintainer script may have started a daemon through init.d.
    if _wait_for_docker 5; then log "docker: running (started by package install)"; return 0; fi
  fi

  local pid
  if pid="$(_dockerd_pid)"; then
    log "docker: dockerd (pid $pid) is running but not answering yet; waiting up to ${GANTRY_DOCKER_WAIT_S}s"
    if _wait_for_docker "${GANTRY_DOCKER_WAIT_S}" "$pid"; then log "docker: ready"; return 0; fi
    tail -n 25 "${GANTRY_DOCKERD_LOG}" >&2 2>/dev/null || true
    die "docker: dockerd pid $pid does not answer on ${GANTRY_DOCKER_SOCK}; stop it and re-run"
  fi

  _ensure_cgroups
  local args=() extra
  extra="$(_ensure_iptables)"
  [[ -n "$extra" ]] && args+=("$extra")
  # shellcheck disable=SC2206
  [[ -n "${GANTRY_DOCKERD_ARGS:-}" ]] && args+=(${GANTRY_DOCKERD_ARGS})

  local remembered=""
  [[ -r "${GANTRY_DOCKER_STATE_DIR}/dockerd-storage-driver" ]] \
    && remembered="$(cat "${GANTRY_DOCKER_STATE_DIR}/dockerd-storage-driver")"
  local driver="${GANTRY_DOCKER_STORAGE_DRIVER:-$remembered}"

  local t0=$SECONDS
  if [[ -n "$driver" ]]; then
    _start_dockerd "${args[@]}" --storage-driver="$driver" \
      || die "docker: dockerd failed to start with --storage-driver=$driver (see ${GANTRY_DOCKERD_LOG})"
  elif ! _start_dockerd "${args[@]}"; then
    warn "docker: retrying with --storage-driver=vfs (slower, but works without overlayfs)"
    _start_dockerd "${args[@]}" --storage-driver=vfs \
      || die "docker: dockerd failed to start, also with vfs (see ${GANTRY_DOCKERD_LOG})"
    as_root mkdir -p "${GANTRY_DOCKER_STATE_DIR}"
    echo vfs | as_root tee "${GANTRY_DOCKER_STATE_DIR}/dockerd-storage-driver" >/dev/null
  fi
  log "docker: ready after $((SECONDS - t0))s ($(gdocker info -f 'storage={{.Driver}} cgroup={{.CgroupDriver}}/v{{.CgroupVersion}} server={{.ServerVersion}}' 2>/dev/null || echo '?'))"
}

ensure_docker() {
  command -v curl >/dev/null 2>&1 || apt_ensure curl
  if docker_ping; then
    # Say it once per script run, not for every caller.
    [[ -n "${_GANTRY_DOCKER_OK:-}" ]] || log "docker: already running on ${GANTRY_DOCKER_SOCK}"
    _GANTRY_DOCKER_OK=1
    return 0
  fi
  # One starter at a time (two scripts racing must not start two daemons).
  (
    exec 9>"${GANTRY_LOCK_DIR}/gantry-dockerd.lock"
    flock 9
    _ensure_docker_locked
  )
  _GANTRY_DOCKER_OK=1
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  ensure_docker "$@"
fi
