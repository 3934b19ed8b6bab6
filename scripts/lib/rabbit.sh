# A private, throw-away RabbitMQ node on loopback ports for the tests
# (Debian's rabbitmq-server; the system service stays off). Source it, then:
#   rabbit_up          starts a node in a fresh directory, with the stream
#                      plugin; exports RABBITTEST_DIR, RABBITTEST_AMQP_PORT,
#                      RABBITTEST_STREAM_PORT and STREAMVISOR_TEST_RABBIT
#                      (amqp://guest:guest@127.0.0.1:PORT)
#   rabbit_stop        stops the node, keeping its data (SIGTERM, ~2 s)
#   rabbit_start       starts it again on the same ports and data
#   rabbit_ctl ARGS    rabbitmqctl against the node
#   rabbit_streams ARGS  rabbitmq-streams against the node
#   rabbit_down        stops it and removes its directory (and its epmd)
# Tests stop and start the node with $STREAMVISOR_TEST_RABBIT_CTL stop|start.
# A node takes 10 s to start on an idle machine and 30 s or more on a busy
# one: start one per test run.

RABBIT_BIN=${RABBIT_BIN:-/usr/lib/rabbitmq/bin}
_rabbit_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/rabbit.sh

_rabbit_free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

_rabbit_env() {
  env HOME="$RABBITTEST_DIR" \
    RABBITMQ_NODENAME="$RABBITTEST_NODE" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$RABBITTEST_AMQP_PORT" \
    RABBITMQ_DIST_PORT="$RABBITTEST_DIST_PORT" \
    ERL_EPMD_PORT="$RABBITTEST_EPMD_PORT" \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_MNESIA_BASE="$RABBITTEST_DIR/mnesia" \
    RABBITMQ_LOG_BASE="$RABBITTEST_DIR/log" \
    RABBITMQ_CONFIG_FILE="$RABBITTEST_DIR/rabbitmq.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$RABBITTEST_DIR/enabled_plugins" \
    RABBITMQ_PID_FILE="$RABBITTEST_DIR/rabbit.pid" \
    "$@"
}

rabbit_ctl() { _rabbit_env "$RABBIT_BIN/rabbitmqctl" "$@"; }
rabbit_streams() { _rabbit_env "$RABBIT_BIN/rabbitmq-streams" "$@"; }

rabbit_start() {
  rm -f "$RABBITTEST_DIR/rabbit.pid"
  _rabbit_env setsid "$RABBIT_BIN/rabbitmq-server" >>"$RABBITTEST_DIR/server.out" 2>&1 &
  RABBITTEST_PID=$!
  if ! rabbit_ctl -q wait --timeout 180 "$RABBITTEST_DIR/rabbit.pid" >/dev/null 2>&1; then
    echo "rabbit: the node did not start; its log:" >&2
    tail -n 40 "$RABBITTEST_DIR/server.out" "$RABBITTEST_DIR"/log/*.log >&2 2>/dev/null
    return 1
  fi
  export RABBITTEST_PID
}

rabbit_stop() {
  local pid
  pid=$(cat "$RABBITTEST_DIR/rabbit.pid" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$RABBITTEST_DIR/rabbit.pid"
}

rabbit_up() {
  RABBITTEST_DIR=$(mktemp -d -t svrabbit.XXXXXX)
  RABBITTEST_NODE="svtest$$@localhost"
  RABBITTEST_AMQP_PORT=$(_rabbit_free_port)
  RABBITTEST_STREAM_PORT=$(_rabbit_free_port)
  RABBITTEST_DIST_PORT=$(_rabbit_free_port)
  RABBITTEST_EPMD_PORT=$(_rabbit_free_port)
  mkdir -p "$RABBITTEST_DIR/mnesia" "$RABBITTEST_DIR/log"
  cat >"$RABBITTEST_DIR/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$RABBITTEST_AMQP_PORT
stream.listeners.tcp.1 = 127.0.0.1:$RABBITTEST_STREAM_PORT
loopback_users = none
EOF
  echo '[rabbitmq_stream].' >"$RABBITTEST_DIR/enabled_plugins"
  export RABBITTEST_DIR RABBITTEST_NODE RABBITTEST_AMQP_PORT RABBITTEST_STREAM_PORT \
    RABBITTEST_DIST_PORT RABBITTEST_EPMD_PORT
  rabbit_start || { rabbit_down; return 1; }
  export STREAMVISOR_TEST_RABBIT="amqp://guest:guest@127.0.0.1:$RABBITTEST_AMQP_PORT"
  # For tests that stop and start the broker: `ctl.sh stop|start`.
  {
    echo '#!/usr/bin/env bash'
    echo 'set -euo pipefail'
    local v
    for v in RABBITTEST_DIR RABBITTEST_NODE RABBITTEST_AMQP_PORT RABBITTEST_STREAM_PORT \
      RABBITTEST_DIST_PORT RABBITTEST_EPMD_PORT; do
      echo "export $v=${!v}"
    done
    echo ". '$_rabbit_lib'"
    echo 'case "${1:-}" in stop) rabbit_stop ;; start) rabbit_start ;;'
    echo '  *) echo "usage: ctl.sh stop|start" >&2; exit 2 ;; esac'
  } >"$RABBITTEST_DIR/ctl.sh"
  chmod +x "$RABBITTEST_DIR/ctl.sh"
  export STREAMVISOR_TEST_RABBIT_CTL="$RABBITTEST_DIR/ctl.sh"
  export STREAMVISOR_TEST_RABBIT_STREAM="rabbitmq-stream://127.0.0.1:$RABBITTEST_STREAM_PORT"
}

rabbit_down() {
  [ -n "${RABBITTEST_DIR:-}" ] || return 0
  rabbit_stop
  # The node's epmd outlives it.
  ERL_EPMD_PORT=$RABBITTEST_EPMD_PORT epmd -kill >/dev/null 2>&1 || true
  rm -rf "$RABBITTEST_DIR"
  unset RABBITTEST_DIR RABBITTEST_PID STREAMVISOR_TEST_RABBIT STREAMVISOR_TEST_RABBIT_STREAM
}
