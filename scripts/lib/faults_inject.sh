# The faults of scripts/faults: each injects, holds, heals, and sets `said`
# to one line saying what it did (the run's faults.tsv keeps it). They run in
# the script's own shell (no $(...)): they change the node table and draw
# from the seeded RANDOM. Sourced after lib/faults_cluster.sh; expects $hold
# (seconds a fault lasts), $PGTEST_DIR, $PG_BIN, $db, $partitions, $burst.

said=""
picked=""
pick() { local a=("$@"); picked=${a[RANDOM % ${#a[@]}]}; }

fault_worker_kill() {
  local w
  pick "${workers[@]}"
  w=$picked
  node_kill "$w"
  sleep "$hold"
  node_restart "$w"
  said="kill -9 $w, restarted after ${hold} s"
}

fault_leader_kill() {
  local l
  l=$(leader)
  [ -n "$l" ] || { said="no leader to kill"; return; }
  node_kill "$l"
  sleep "$hold"
  node_restart "$l"
  said="kill -9 $l (leader), restarted after ${hold} s"
}

pause_for() { awk -v t="$hb_timeout" 'BEGIN { printf "%.1f", t / 1000 + 2 }'; }

fault_leader_pause() {
  local l s
  l=$(leader)
  [ -n "$l" ] || { said="no leader to pause"; return; }
  s=$(pause_for)
  kill -STOP "${node_pid[$l]}"
  sleep "$s"
  kill -CONT "${node_pid[$l]}"
  said="SIGSTOP $l (leader) for $s s (heartbeat timeout + 2 s), SIGCONT"
}

fault_worker_pause() {
  local w s
  pick "${workers[@]}"
  w=$picked
  s=$(pause_for)
  kill -STOP "${node_pid[$w]}"
  sleep "$s"
  kill -CONT "${node_pid[$w]}"
  said="SIGSTOP $w for $s s (heartbeat timeout + 2 s), SIGCONT"
}

fault_task_kill() {
  local t ids
  mapfile -t ids < <(api GET "/druid/indexer/v1/tasks?state=running" | jq -r '.[].id' || true)
  [ ${#ids[@]} -gt 0 ] || { said="no running task to kill"; return; }
  pick "${ids[@]}"
  t=$picked
  api POST "/druid/indexer/v1/task/$t/shutdown" >/dev/null || true
  said="task $t shut down through the API"
}

fault_pg_restart() {
  _pg_as_owner "$PG_BIN/pg_ctl" -D "$PGTEST_DIR/data" -m immediate -w -t 60 restart \
    >/dev/null 2>&1
  said="PostgreSQL restarted (-m immediate)"
}

fault_pg_conn_kill() {
  local n
  n=$(psql -h 127.0.0.1 -p "$PGTEST_PORT" -U postgres -d postgres -Atq -c \
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
     WHERE datname = '$db' AND pid <> pg_backend_pid()")
  said="$n PostgreSQL connections of the cluster terminated (the leader's lock among them)"
}

fault_kafka_down() {
  kafka_control POST /brokers/all/down
  sleep "$hold"
  kafka_control POST /brokers/all/up
  said="every Kafka broker down for ${hold} s"
}

fault_kafka_errors() {
  local b p
  b=$((RANDOM % 3 + 1))
  p=$((RANDOM % partitions))
  kafka_control POST /topics/r1/partitions/$p/leader "{\"broker\": $b}"
  kafka_control POST /topics/r2/partitions/$p/leader "{\"broker\": $b}"
  kafka_control POST /errors '{"apiKey": "Fetch", "errors": ["NOT_LEADER_FOR_PARTITION",
    "REQUEST_TIMED_OUT", "UNKNOWN_SERVER_ERROR", "NOT_LEADER_FOR_PARTITION"]}'
  kafka_control POST /errors '{"apiKey": "ListOffsets", "errors": ["REQUEST_TIMED_OUT",
    "LEADER_NOT_AVAILABLE"]}'
  kafka_control POST /errors '{"apiKey": "Metadata", "errors": ["REQUEST_TIMED_OUT"]}'
  said="partition $p of r1 and r2 led by broker $b; Fetch, ListOffsets, Metadata errors"
}

fault_backfill() {  # reset to latest and backfill, then a worker killed while it runs
  local answer l
  l=$(leader)
  answer=$(curl -s -m 60 -X POST -w ' %{http_code}' \
    "http://127.0.0.1:$(node_port "${l:-overlord1}")/druid/indexer/v1/supervisor/faults_r1/resetToLatestAndBackfill" ||
    true)
  fault_worker_kill
  if [ "${answer##* }" = 200 ]; then
    said="reset and backfill ($(echo "${answer% *}" | jq -r .backfillSupervisorId)); $said"
  else
    said="reset and backfill refused (${answer##* }: ${answer% *}); $said"
  fi
}

fault_autoscale() {  # a burst on r1 (its autoscaler scales out, later in) and a worker killed
  bursts=$((bursts + 1))
  "$bin" generate --topic r1 --bootstrap "$kafka" --rate 0 --count "$burst" \
    --run "$generator_run-burst$bursts" >>"$run/generate.log" 2>&1
  fault_worker_kill
  said="burst of $burst events on r1; $said"
}

cut_mode() { pick drop reset; mode=$picked; }

fault_worker_cut() {  # a worker cut from everything (leader, PostgreSQL, Kafka)
  local w mode
  [ $net_cuts = 1 ] || { said="skipped: network cuts need root, iptables, cgroup v2"; return; }
  pick "${workers[@]}"
  w=$picked
  cut_mode
  net_cut "$w" "$mode" || { said="FAILED: iptables refused the cut"; return 1; }
  sleep "$cut_hold"
  net_heal
  said="$w cut from the network ($mode) for ${cut_hold} s"
}

fault_leader_cut() {  # the leader cut from everything (workers, PostgreSQL, Kafka)
  local l mode
  [ $net_cuts = 1 ] || { said="skipped: network cuts need root, iptables, cgroup v2"; return; }
  l=$(leader)
  [ -n "$l" ] || { said="no leader to cut"; return; }
  cut_mode
  local at o p took=""
  at=$(now)
  net_cut "$l" "$mode" || { said="FAILED: iptables refused the cut"; return 1; }
  # The other overlord should lead while the cut lasts.
  while [ "$(elapsed "$at" | cut -d. -f1)" -lt "$cut_hold" ]; do
    for o in "${overlords[@]}"; do
      [ "$o" != "$l" ] && [ -z "$took" ] || continue
      p=$(node_port "$o")
      curl -sf -m 1 "http://127.0.0.1:$p/druid/indexer/v1/isLeader" >/dev/null 2>&1 &&
        took=$(elapsed "$at")
    done
    sleep 0.2
  done
  net_heal
  said="$l (leader) cut from the network ($mode) for ${cut_hold} s; "
  if [ -n "$took" ]; then
    said+="the other overlord led after $took s"
  else
    said+="no other overlord led during the cut"
  fi
}

fault_storage_full() {  # the deep storage (a small tmpfs of its own) full, or failing writes
  [ "$storage_mounted" = 1 ] || { said="skipped: a full deep storage needs root (mount tmpfs)"; return; }
  # Longer than a taskDuration: a roll-over's segments meet it.
  pick full read-only
  if [ "$picked" = full ]; then
    dd if=/dev/zero of="$run/deep-storage/.filler" bs=1M >/dev/null 2>&1 || true
    sleep 12
    rm -f "$run/deep-storage/.filler"
    said="deep storage full (no space left) for 12 s"
  else
    mount -o remount,ro "$run/deep-storage" || { said="FAILED: cannot remount read-only"; return 1; }
    sleep 12
    mount -o remount,rw "$run/deep-storage"
    said="deep storage writes failing (read-only file system) for 12 s"
  fi
}
