# A private Kinesis emulator (kinesis-local from npm, a port of kinesis-mock,
# on a loopback port) for the tests. Source it, then:
#   kinesis_up     installs the emulator on first use (npm ci), starts it and
#                  exports KINESISTEST_PORT, KINESISTEST_PID and
#                  STREAMVISOR_TEST_KINESIS (http://127.0.0.1:PORT)
#   kinesis_down   stops it (its streams live in memory and go with it)

_kinesis_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/kinesis

kinesis_up() {
  if [ ! -d "$_kinesis_dir/node_modules/kinesis-local" ]; then
    (cd "$_kinesis_dir" && npm ci --no-audit --no-fund --loglevel=error) >&2 || return 1
  fi
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || break
  done
  KINESISTEST_PORT=$p
  KINESISTEST_LOG=$(mktemp /tmp/kinesis-local.XXXXXX.log)
  # Streams are created, split, merged and deleted at once; the TLS port is
  # unused but must be free.
  env KINESIS_MOCK_CERT_PATH="$_kinesis_dir/node_modules/kinesis-local/server.json" \
    KINESIS_MOCK_PLAIN_PORT="$p" KINESIS_MOCK_TLS_PORT=$((p + 1)) \
    CREATE_STREAM_DURATION=0ms DELETE_STREAM_DURATION=0ms SPLIT_SHARD_DURATION=0ms \
    MERGE_SHARDS_DURATION=0ms UPDATE_SHARD_COUNT_DURATION=0ms SHARD_LIMIT=2000 \
    LOG_LEVEL=WARN setsid node "$_kinesis_dir/node_modules/kinesis-local/main.js" \
    >"$KINESISTEST_LOG" 2>&1 &
  KINESISTEST_PID=$!
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      export KINESISTEST_PORT KINESISTEST_PID
      export STREAMVISOR_TEST_KINESIS="http://127.0.0.1:$p"
      return 0
    fi
    kill -0 "$KINESISTEST_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "kinesis: the emulator did not start:" >&2
  cat "$KINESISTEST_LOG" >&2
  return 1
}

kinesis_down() {
  [ -n "${KINESISTEST_PID:-}" ] && kill "$KINESISTEST_PID" 2>/dev/null
  [ -n "${KINESISTEST_LOG:-}" ] && rm -f "$KINESISTEST_LOG"
  unset KINESISTEST_PID STREAMVISOR_TEST_KINESIS
  return 0
}
