# Throwaway PostgreSQL 15 server for tests, in a temporary directory, on loopback.
# Source this file, then: pg_up [PORT] ... pg_down. pg_up exports
# STREAMVISOR_TEST_PG (a libpq conninfo) for the test binaries.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_up() {
  local port=${1:-0} attempt
  if [ "$port" != 0 ]; then
    _pg_start "$port"
    return
  fi
  # Try a few pseudo-random ports in 20000-39999 until one is free.
  for attempt in 1 2 3 4 5; do
    port=$((20000 + (RANDOM * 7 + $$ + attempt) % 20000))
    if _pg_start "$port" 2>/dev/null; then return 0; fi
  done
  _pg_start "$port"
}

_pg_start() {
  local port=$1
  PGTEST_DIR=$(mktemp -d -t svpg.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PGTEST_DIR"; fi
  _pg_as_owner "$PG_BIN/initdb" -D "$PGTEST_DIR/data" -U postgres -A trust -E UTF8 \
    --locale=C.UTF-8 --no-sync >"$PGTEST_DIR/initdb.log" 2>&1 || {
    cat "$PGTEST_DIR/initdb.log" >&2; return 1; }
  _pg_as_owner "$PG_BIN/pg_ctl" -D "$PGTEST_DIR/data" -l "$PGTEST_DIR/server.log" -w -t 30 \
    -o "-p $port -k $PGTEST_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$PGTEST_DIR/server.log" >&2; rm -rf "$PGTEST_DIR"; return 1; }
  PGTEST_PORT=$port
  export PGTEST_DIR PGTEST_PORT
  export STREAMVISOR_TEST_PG="host=127.0.0.1 port=$port user=postgres dbname=postgres"
}

pg_down() {
  [ -n "${PGTEST_DIR:-}" ] || return 0
  _pg_as_owner "$PG_BIN/pg_ctl" -D "$PGTEST_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PGTEST_DIR"
  unset PGTEST_DIR PGTEST_PORT STREAMVISOR_TEST_PG
}
