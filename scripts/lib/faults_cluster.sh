# The local cluster of a fault run: kafka-dev, two overlords, three workers,
# started, restarted, paused and stopped by name. Sourced by scripts/faults;
# expects $bin, $run (the run's folder), $metadata, $hb, $hb_timeout.

declare -A node_pid node_role node_starts
kafka_pid=""
kafka=""
control=""
overlords=(overlord1 overlord2)
workers=(worker1 worker2 worker3)

now() { date +%s.%N; }
elapsed() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.2f", a - b }'; }

kafka_up() {  # topics...
  local args=()
  for t in "$@"; do args+=(--topic "$t"); done
  setsid "$bin" kafka-dev --brokers 3 "${args[@]}" --bootstrap-file "$run/kafka.bootstrap" \
    >"$run/kafka-dev.log" 2>&1 &
  kafka_pid=$!
  for _ in $(seq 1 200); do
    grep -q '^control: ' "$run/kafka-dev.log" 2>/dev/null && break
    sleep 0.05
  done
  kafka=$(grep -o '^bootstrap: .*' "$run/kafka-dev.log" | cut -d' ' -f2)
  control=$(grep -o '^control: .*' "$run/kafka-dev.log" | cut -d' ' -f2)
  [ -n "$kafka" ] && [ -n "$control" ]
}

node_log() { echo "$run/$1/serve.${node_starts[$1]}.log"; }

# Network cuts: every node runs in a cgroup (v2) of its own, so its sockets
# carry it, and an iptables rule on that cgroup blackholes (DROP) or resets
# (REJECT tcp-reset) everything the node sends. Needs root, iptables and a
# writable cgroup2 mount; without them the cut scenarios are skipped.
cgroup2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts 2>/dev/null || true)
net_cuts=0
if [ "$(id -u)" = 0 ] && command -v iptables >/dev/null && [ -n "$cgroup2" ] &&
  mkdir -p "$cgroup2/sv_faults_probe_$$" 2>/dev/null; then
  if iptables -I OUTPUT -m cgroup --path "sv_faults_probe_$$" -j DROP 2>/dev/null; then
    iptables -D OUTPUT -m cgroup --path "sv_faults_probe_$$" -j DROP
    net_cuts=1
  fi
  rmdir "$cgroup2/sv_faults_probe_$$"
fi

node_cgroup() { echo "sv_faults_$$_$1"; }

net_cut() {  # name drop|reset; fails when the rule cannot be set
  local rule="-j DROP"
  [ "$2" = reset ] && rule="-p tcp -j REJECT --reject-with tcp-reset"
  # shellcheck disable=SC2086
  iptables -I OUTPUT -m cgroup --path "$(node_cgroup "$1")" $rule || return 1
  cut_rules+=("$(node_cgroup "$1") $rule")
}

net_heal() {
  local r
  for r in "${cut_rules[@]}"; do
    # shellcheck disable=SC2086
    iptables -D OUTPUT -m cgroup --path $r 2>/dev/null || true
  done
  cut_rules=()
}
cut_rules=()

node_start() {  # name role
  local name=$1 role=$2 extra=()
  node_role[$name]=$role
  node_starts[$name]=$((${node_starts[$name]:-0} + 1))
  mkdir -p "$run/$name"
  [ "$role" = worker ] && extra=(--worker-capacity 6)
  local wrap=()
  if [ $net_cuts = 1 ]; then
    mkdir -p "$cgroup2/$(node_cgroup "$name")"
    wrap=(bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cgroup2/$(node_cgroup "$name")")
  fi
  setsid "${wrap[@]}" "$bin" serve --role "$role" --data-dir "$run/$name" --listen 127.0.0.1:0 \
    --metadata "$metadata" --kafka "$kafka" --cluster-name faults \
    --heartbeat-interval "$hb" --heartbeat-timeout "$hb_timeout" \
    --deep-storage "$run/deep-storage" --auth-admin-password-file "$admin_password_file" \
    "${extra[@]}" >"$(node_log "$name")" 2>&1 &
  node_pid[$name]=$!
}

node_port() {  # name -> its HTTP port (empty until it serves)
  grep -o 'serving http://127.0.0.1:[0-9]*' "$(node_log "$1")" 2>/dev/null |
    tail -1 | grep -o '[0-9]*$' || true
}

node_alive() { [ -n "${node_pid[$1]:-}" ] && kill -0 "${node_pid[$1]}" 2>/dev/null; }

node_kill() {  # name: kill -9, reaped
  kill -9 "${node_pid[$1]}" 2>/dev/null || true
  wait "${node_pid[$1]}" 2>/dev/null || true
  node_pid[$1]=""
}

node_restart() { node_start "$1" "${node_role[$1]}"; }

# The deep storage of a run: a tmpfs of its own when root may mount one (so
# storage-full can fill it), else a plain folder.
storage_mounted=0
storage_up() {
  mkdir -p "$run/deep-storage"
  storage_mounted=0
  # A run killed before storage_down leaves its tmpfs mounted here; never stack on it.
  while mountpoint -q "$run/deep-storage" && umount "$run/deep-storage" 2>/dev/null; do :; done
  if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=256m sv_faults "$run/deep-storage" 2>/dev/null; then
    storage_mounted=1
  fi
}
storage_down() {
  if [ "$storage_mounted" = 1 ]; then
    umount "$run/deep-storage" 2>/dev/null || umount -l "$run/deep-storage" 2>/dev/null || true
    storage_mounted=0
  fi
}

cluster_up() {
  for o in "${overlords[@]}"; do node_start "$o" overlord; done
  for w in "${workers[@]}"; do node_start "$w" worker; done
}

cluster_down() {
  local n
  for n in "${!node_pid[@]}"; do
    [ -n "${node_pid[$n]}" ] && kill -CONT "${node_pid[$n]}" 2>/dev/null
    [ -n "${node_pid[$n]}" ] && kill -TERM "${node_pid[$n]}" 2>/dev/null
  done
  for _ in $(seq 1 100); do
    local left=0
    for n in "${!node_pid[@]}"; do node_alive "$n" && left=1; done
    [ $left = 0 ] && break
    sleep 0.1
  done
  for n in "${!node_pid[@]}"; do [ -n "${node_pid[$n]}" ] && node_kill "$n"; done
  net_heal
  for n in "${!node_pid[@]}"; do
    [ $net_cuts = 1 ] && rmdir "$cgroup2/$(node_cgroup "$n")" 2>/dev/null || true
  done
  if [ -n "$kafka_pid" ]; then
    kill -9 "$kafka_pid" 2>/dev/null || true
    wait "$kafka_pid" 2>/dev/null || true
    kafka_pid=""
  fi
}

leader() {  # -> the leading overlord's name (empty when none answers)
  local o p
  for o in "${overlords[@]}"; do
    node_alive "$o" || continue
    p=$(node_port "$o")
    [ -n "$p" ] || continue
    if curl -sf -m 2 "http://127.0.0.1:$p/druid/indexer/v1/isLeader" >/dev/null; then
      echo "$o"
      return
    fi
  done
}

wait_leader() {  # seconds
  local deadline=$(($(date +%s) + $1))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    [ -n "$(leader)" ] && return 0
    sleep 0.2
  done
  return 1
}

api() {  # method path [body] -> the body of the first overlord that answers 2xx
  local method=$1 path=$2 body=${3:-} o p
  for o in "${overlords[@]}"; do
    node_alive "$o" || continue
    p=$(node_port "$o")
    [ -n "$p" ] || continue
    if [ -n "$body" ]; then
      curl -sf -L --post301 --post302 --post303 -m 30 -X "$method" \
        -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$p$path" && return 0
    else
      curl -sf -L --post301 --post302 --post303 -m 10 -X "$method" \
        "http://127.0.0.1:$p$path" && return 0
    fi
  done
  return 1
}

kafka_control() {  # method path [body]
  curl -sf -m 10 -X "$1" -H 'Content-Type: application/json' -d "${3:-}" "$control$2" \
    >/dev/null
}
