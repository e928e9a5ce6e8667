#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the [Category("PostgreSQL")] ground-truth tests of the migrations
# detector (PF5xx).
#
# Works both ways:
#   source .ci/services.d/postgres.sh   exports PREFLIGHT_PG_* into the caller and chains a stop onto its EXIT trap
#   .ci/services.d/postgres.sh          starts the cluster, writes the exports to $PREFLIGHT_SERVICES_ENV (when set)
#                                       and prints them; stop it with `.ci/services.d/postgres.sh stop <dir>`
#
# Installs Debian's `postgresql` package when no server binaries are found (apt-get update once), initdb's a
# cluster into a temp dir as the unprivileged `postgres` user (initdb refuses root), starts it with pg_ctl on a
# unix socket inside that dir (no TCP listener), and sets PREFLIGHT_REQUIRE_POSTGRES=1 so a test that cannot
# reach it fails instead of being ignored.

_pf_pg_find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return 0; }
  return 1
}

_pf_pg_as() {
  # run a command as the cluster owner
  if [ "$(id -u)" = 0 ]; then
    if command -v runuser >/dev/null 2>&1; then runuser -u "$_pf_pg_user" -- "$@"; else su -s /bin/sh "$_pf_pg_user" -c "$(printf '%q ' "$@")"; fi
  else
    "$@"
  fi
}

_pf_pg_stop() {
  local dir="$1"
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  local bin; bin="$(_pf_pg_find_bin)" || return 0
  _pf_pg_user="$(stat -c %U "$dir")"
  _pf_pg_as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

_pf_pg_start() {
  local bin
  if ! bin="$(_pf_pg_find_bin)"; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "postgres.sh: installing postgresql" >&2
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 || return 1
      bin="$(_pf_pg_find_bin)" || return 1
    else
      echo "postgres.sh: no PostgreSQL server binaries and cannot install them" >&2
      return 1
    fi
  fi
  _pf_pg_user="$(id -un)"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres >&2 || return 1
    _pf_pg_user=postgres
  fi
  local dir; dir="$(mktemp -d /tmp/preflight-pg.XXXXXX)" || return 1
  chown "$_pf_pg_user" "$dir" 2>/dev/null || true
  chmod 700 "$dir"
  _pf_pg_as "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || _pf_pg_as "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; return 1; }
  _pf_pg_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c max_connections=30" start >/dev/null \
    || { cat "$dir/server.log" >&2; _pf_pg_stop "$dir"; return 1; }
  chmod 755 "$dir"
  PREFLIGHT_PG_DIR="$dir"
  return 0
}

_pf_pg_exports() {
  echo "export PREFLIGHT_PG_HOST='$PREFLIGHT_PG_DIR'"
  echo "export PREFLIGHT_PG_PORT=5432"
  echo "export PREFLIGHT_PG_USER=postgres"
  echo "export PREFLIGHT_PG_DIR='$PREFLIGHT_PG_DIR'"
  echo "export PREFLIGHT_REQUIRE_POSTGRES=1"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  # sourced by .ci/run
  if _pf_pg_start; then
    eval "$(_pf_pg_exports)"
    if declare -F ci_on_exit >/dev/null; then
      # .ci/run's hook list: stopped in reverse order of registration
      ci_on_exit "_pf_pg_stop '$PREFLIGHT_PG_DIR'"
    else
      _pf_prev_trap="$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")"
      # shellcheck disable=SC2064
      trap "_pf_pg_stop '$PREFLIGHT_PG_DIR'; ${_pf_prev_trap:-:}" EXIT
    fi
  else
    echo "postgres.sh: PostgreSQL could not be started; the PostgreSQL tests will fail (PREFLIGHT_REQUIRE_POSTGRES=1)" >&2
    export PREFLIGHT_REQUIRE_POSTGRES=1
  fi
else
  set -euo pipefail
  case "${1:-start}" in
    stop) _pf_pg_stop "${2:-${PREFLIGHT_PG_DIR:-}}" ;;
    start)
      _pf_pg_start
      if [ -n "${PREFLIGHT_SERVICES_ENV:-}" ]; then _pf_pg_exports >>"$PREFLIGHT_SERVICES_ENV"; fi
      _pf_pg_exports
      ;;
    *) echo "usage: $0 [start|stop DIR]" >&2; exit 2 ;;
  esac
fi
