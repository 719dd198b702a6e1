#!/usr/bin/env bash
# ensure_postgres: a local PostgreSQL (Debian's packages, any installed major
# version) running on 127.0.0.1:5432 with password auth, and a superuser role
# gantry/gantry. Exports GANTRY_POSTGRES_URL; when run directly, prints it.
#
# Source it and call `ensure_postgres`, or run it directly.

_ENSURE_PG_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "${_ENSURE_PG_DIR}/common.sh"

GANTRY_PG_PORT=5432
GANTRY_PG_USER=gantry
GANTRY_PG_PASSWORD=gantry
GANTRY_POSTGRES_URL="postgres://${GANTRY_PG_USER}:${GANTRY_PG_PASSWORD}@127.0.0.1:${GANTRY_PG_PORT}/postgres"

# True when we can log in over TCP as gantry and the role has the needed attributes.
_pg_gantry_ok() {
  command -v psql >/dev/null 2>&1 || return 1
  [[ "$(PGCONNECT_TIMEOUT=3 psql "${GANTRY_POSTGRES_URL}" -XtAqc \
      "select rolsuper and rolcreatedb and rolcanlogin from pg_roles where rolname = current_user" \
      2>/dev/null || true)" == "t" ]]
}

# Run psql as the postgres OS user over the unix socket (peer auth).
_pg_superuser_psql() {
  local port="$1"; shift
  if [[ "$(id -u)" -eq 0 ]]; then
    (cd / && runuser -u postgres -- psql -X -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@")
  else
    (cd / && sudo -n -u postgres psql -X -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@")
  fi
}

# pg_ctlcluster VER NAME ACTION, with inherited fds closed: the postmaster it
# spawns must not keep our flock fd or a caller's pipe open.
_pg_ctl() {
  ( close_extra_fds; as_root pg_ctlcluster "$@" ) </dev/null >&2
}

_pg_latest_version() {
  local d v best=""
  for d in /usr/lib/postgresql/*/bin/postgres; do
    [[ -x "$d" ]] || continue
    v="$(basename "$(dirname "$(dirname "$d")")")"
    if [[ -z "$best" ]] || (( ${v%%.*} > ${best%%.*} )); then best="$v"; fi
  done
  echo "$best"
}

# Writes FILE from stdin only when the content differs; returns 0 when it changed.
_write_if_changed() {
  local file="$1" tmp
  tmp="$(mktemp)"
  cat >"$tmp"
  if [[ -f "$file" ]] && cmp -s "$tmp" "$file"; then rm -f "$tmp"; return 1; fi
  as_root install -m 0644 -o postgres -g postgres "$tmp" "$file"
  rm -f "$tmp"
  return 0
}

_ensure_postgres_locked() {
  if _pg_gantry_ok; then return 0; fi

  if ! command -v pg_lsclusters >/dev/null 2>&1 || [[ -z "$(_pg_latest_version)" ]]; then
    apt_ensure postgresql
    hash -r
  fi

  # Pick the cluster: the one already on 5432, else <latest>/main (created if needed).
  local ver name status
  read -r ver name status < <(pg_lsclusters -h 2>/dev/null | awk -v p="${GANTRY_PG_PORT}" '$3 == p { print $1, $2, $4; exit }') || true
  if [[ -z "${ver:-}" ]]; then
    ver="$(_pg_latest_version)"
    [[ -n "$ver" ]] || die "postgres: no PostgreSQL server binaries found under /usr/lib/postgresql"
    name=main
    if ! pg_lsclusters -h "$ver" "$name" >/dev/null 2>&1; then
      log "postgres: creating cluster $ver/$name on port ${GANTRY_PG_PORT}"
      as_root pg_createcluster "$ver" "$name" --port "${GANTRY_PG_PORT}" >&2
    else
      log "postgres: moving cluster $ver/$name to port ${GANTRY_PG_PORT}"
      as_root pg_conftool "$ver" "$name" set port "${GANTRY_PG_PORT}"
    fi
    status="$(pg_lsclusters -h "$ver" "$name" | awk '{ print $4 }')"
  fi
  log "postgres: using cluster $ver/$name (status: $status)"

  local confdir="/etc/postgresql/$ver/$name" need_restart=0 need_reload=0
  # Listen on loopback TCP. (Debian's postgresql.conf includes conf.d.)
  if ! grep -qE "^[[:space:]]*include_dir[[:space:]]*=[[:space:]]*'conf\.d'" "$confdir/postgresql.conf"; then
    echo "include_dir = 'conf.d'" | as_root tee -a "$confdir/postgresql.conf" >/dev/null
    need_restart=1
  fi
  as_root mkdir -p "$confdir/conf.d"
  if _write_if_changed "$confdir/conf.d/50-gantry.conf" <<CONF
# Written by gantry scripts/lib/ensure-postgres.sh
listen_addresses = '127.0.0.1'
port = ${GANTRY_PG_PORT}
CONF
  then need_restart=1; fi

  # Password auth for gantry over TCP from localhost; first line wins in pg_hba.conf.
  # (md5 also accepts SCRAM-hashed passwords, so it works whatever password_encryption is.)
  local hba="$confdir/pg_hba.conf" marker="# gantry: password auth over loopback"
  if ! grep -qF "$marker" "$hba"; then
    log "postgres: adding password-auth lines for ${GANTRY_PG_USER} to $hba"
    local tmp; tmp="$(mktemp)"
    {
      echo "$marker"
      echo "host    all    ${GANTRY_PG_USER}    127.0.0.1/32    md5"
      echo "host    all    ${GANTRY_PG_USER}    ::1/128         md5"
      cat "$hba"
    } >"$tmp"
    as_root install -m 0640 -o postgres -g postgres "$tmp" "$hba"
    rm -f "$tmp"
    need_reload=1
  fi

  # The socket dir lives in /run, which may be fresh.
  as_root install -d -m 2775 -o postgres -g postgres /var/run/postgresql

  if [[ "$status" == online* ]]; then
    if (( need_restart )); then
      log "postgres: restarting $ver/$name (config changed)"
      _pg_ctl "$ver" "$name" restart
    elif (( need_reload )); then
      _pg_ctl "$ver" "$name" reload
    fi
  else
    log "postgres: starting $ver/$name"
    _pg_ctl "$ver" "$name" start || {
      tail -n 20 "/var/log/postgresql/postgresql-$ver-$name.log" >&2 2>/dev/null || true
      die "postgres: pg_ctlcluster $ver $name start failed"
    }
  fi

  for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "${GANTRY_PG_PORT}" && break
    sleep 0.5
  done
  pg_isready -q -h 127.0.0.1 -p "${GANTRY_PG_PORT}" || {
    tail -n 20 "/var/log/postgresql/postgresql-$ver-$name.log" >&2 2>/dev/null || true
    die "postgres: not accepting connections on 127.0.0.1:${GANTRY_PG_PORT}"
  }

  log "postgres: ensuring role ${GANTRY_PG_USER} (LOGIN CREATEDB SUPERUSER)"
  _pg_superuser_psql "${GANTRY_PG_PORT}" -q >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${GANTRY_PG_USER}') THEN
    CREATE ROLE ${GANTRY_PG_USER} LOGIN CREATEDB SUPERUSER PASSWORD '${GANTRY_PG_PASSWORD}';
  ELSE
    ALTER ROLE ${GANTRY_PG_USER} LOGIN CREATEDB SUPERUSER PASSWORD '${GANTRY_PG_PASSWORD}';
  END IF;
END
\$\$;
SQL

  _pg_gantry_ok || die "postgres: still cannot log in as ${GANTRY_PG_USER} via ${GANTRY_POSTGRES_URL}"
}

ensure_postgres() {
  if _pg_gantry_ok; then
    log "postgres: already up (${GANTRY_POSTGRES_URL})"
  else
    (
      exec 9>"${GANTRY_LOCK_DIR}/gantry-postgres.lock"
      flock 9
      _ensure_postgres_locked
    )
    log "postgres: ready (${GANTRY_POSTGRES_URL})"
  fi
  export GANTRY_POSTGRES_URL
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  ensure_postgres "$@"
  echo "${GANTRY_POSTGRES_URL}"
fi
