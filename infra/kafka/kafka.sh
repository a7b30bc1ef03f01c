#!/usr/bin/env bash
# A real Apache Kafka for local runs and tests, without Docker: one node by default, or a cluster.
#
#   kafka.sh start    fetch the broker jars (Maven Central, via pom.xml), format KRaft storage once,
#                     start kafka.Kafka on 127.0.0.1, wait until it accepts a produce and a consume,
#                     print the bootstrap address. Idempotent: a broker already answering is reused;
#                     in a cluster, a node that is not running (killed, say) is started and rejoins.
#   kafka.sh stop     clean shutdown of the broker (or every node) this checkout started.
#   kafka.sh status   prints the bootstrap address and exits 0 when a broker answers, else exits 1.
#   kafka.sh credentials  prints the path of the principals' passwords file (SASL; nothing when plain).
#
# Two modes, each with its own state and ports, so that one never meets the other's data:
#   KAFKA_SECURITY=sasl (the default): logins and ACLs (below); state infra/kafka/.state-sasl, port 9192
#     (controller 9193);
#   KAFKA_SECURITY=plain: no login, everything allowed, for a quick local try only, asked for by
#     name; state infra/kafka/.state, port 9092 (controller 9093).
# Environment: KAFKA_PORT, KAFKA_CONTROLLER_PORT, KAFKA_STATE_DIR (override the mode's),
# KAFKA_HEAP_OPTS (-Xms256m -Xmx1g). Broker logs go to $KAFKA_STATE_DIR/logs/server.log.
# KAFKA_NODES=3: a three-node KRaft cluster (each node broker and controller, a three-voter quorum,
# topics with replication factor 3 and min.insync.replicas=2) on KAFKA_PORT/KAFKA_CONTROLLER_PORT,
# +2, +4, each node's state and logs in $KAFKA_STATE_DIR/node-<i>; or KAFKA_PORTS and KAFKA_CONTROLLER_PORTS,
# comma-separated, one port a node. Use a state directory of its own for a cluster.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
security="${KAFKA_SECURITY:-sasl}"
[[ "$security" == plain || "$security" == sasl ]] || { echo "[kafka] KAFKA_SECURITY must be plain or sasl, not $security" >&2; exit 2; }
if [[ "$security" == sasl ]]; then default_state="$here/.state-sasl" default_port=9192; else default_state="$here/.state" default_port=9092; fi
state="${KAFKA_STATE_DIR:-$default_state}"
log() { echo "[kafka] $*" >&2; }

# The nodes: one by default; KAFKA_NODES=3 for a cluster (ports KAFKA_PORT + 2(i-1) for clients and
# KAFKA_CONTROLLER_PORT + 2(i-1) for the controller quorum: 9192/9193, 9194/9195, 9196/9197 with SASL), or
# KAFKA_PORTS / KAFKA_CONTROLLER_PORTS as comma-separated lists, one port a node.
if [[ -n "${KAFKA_PORTS:-}" ]]; then
  IFS=, read -r -a ports <<<"$KAFKA_PORTS"
  IFS=, read -r -a controller_ports <<<"${KAFKA_CONTROLLER_PORTS:?KAFKA_CONTROLLER_PORTS must list one port per node of KAFKA_PORTS}"
else
  ports=(); controller_ports=()
  for ((i = 0; i < ${KAFKA_NODES:-1}; i++)); do
    ports+=($(( ${KAFKA_PORT:-$default_port} + 2 * i )))
    controller_ports+=($(( ${KAFKA_CONTROLLER_PORT:-$((default_port + 1))} + 2 * i )))
  done
fi
nodes=${#ports[@]}
(( nodes == ${#controller_ports[@]} )) || { log "KAFKA_PORTS and KAFKA_CONTROLLER_PORTS differ in length"; exit 2; }
bootstrap="$(printf '127.0.0.1:%s,' "${ports[@]}")"; bootstrap="${bootstrap%,}"
# One node keeps its state in $state itself (as it always has); a cluster's node i in $state/node-i.
node_state() { if (( nodes == 1 )); then echo "$state"; else echo "$state/node-$1"; fi; }
replicas=$(( nodes < 3 ? nodes : 3 ))
min_isr=$(( replicas > 1 ? replicas - 1 : 1 ))

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The readiness probe is a real client round trip: create a topic, produce with acks=all, consume
# it back in a consumer group. An open port alone is not a ready broker.
ready() {
  if [[ "$security" == sasl ]]; then
    KAFKA_USERNAME=admin KAFKA_PASSWORD="$(password_of admin)" node "$here/ready.mjs" "$bootstrap" "${1:-30000}"
  else
    node "$here/ready.mjs" "$bootstrap" "${1:-30000}"
  fi
}

# KAFKA_SECURITY=sasl: clients must log in (SCRAM-SHA-512) as one of the shop's principals, and the
# broker allows each only what the ACLs derived from the topic registry allow (libs/kafka/src/acls.ts,
# applied for a shop's topic prefix by npm start and the test set-up). The principals' passwords are made on the first start and kept
# in $state/credentials.env (mode 600), as KAFKA_PASSWORD_<principal>=... . KAFKA_SECURITY=plain:
# no login and everything allowed, for a quick local try only.
. "$here/sasl.sh"
credentials="$state/credentials.env"

ensure_credentials() {
  [[ "$security" == sasl && ! -s "$credentials" ]] || return 0
  mkdir -p "$state"
  local tmp="$credentials.$$"
  (umask 077; for p in "${shop_principals[@]}"; do echo "KAFKA_PASSWORD_$p=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"; done >"$tmp")
  mv "$tmp" "$credentials"
}

password_of() { sed -n "s/^KAFKA_PASSWORD_$1=//p" "$credentials"; }

classpath() {
  # Shared by every state directory (test brokers too): resolved once per pom.xml change.
  local cpfile="$here/.cache/classpath.txt"
  if [[ ! -s "$cpfile" || "$here/pom.xml" -nt "$cpfile" ]]; then
    command -v mvn >/dev/null || { log "Maven (mvn) is needed to fetch the Kafka jars"; exit 1; }
    mkdir -p "$here/.cache"
    log "resolving Kafka jars from Maven Central (first run only)"
    mvn -q -B -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cpfile.$$" >&2
    mv "$cpfile.$$" "$cpfile"
  fi
  cat "$cpfile"
}

# write_config i: node i's server.properties and log4j2.properties in its state directory.
write_config() {
  local i=$1 dir; dir="$(node_state "$i")"
  local port=${ports[$((i - 1))]} controller_port=${controller_ports[$((i - 1))]}
  local quorum
  if (( nodes == 1 )); then
    # One node, formatted --standalone: a dynamic quorum of itself.
    quorum="controller.quorum.bootstrap.servers=127.0.0.1:$controller_port"
  else
    # A static quorum of every node: each is broker and controller, so any one may die.
    quorum="controller.quorum.voters=$(for ((j = 1; j <= nodes; j++)); do printf '%s@127.0.0.1:%s,' "$j" "${controller_ports[$((j - 1))]}"; done)"
    quorum="${quorum%,}"
  fi
  mkdir -p "$dir/logs"
  local listeners
  if [[ "$security" == sasl ]]; then
    listeners="listeners=SASL_PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_PLAINTEXT
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
$(sasl_properties "$(password_of admin)" SASL_PLAINTEXT)"
  else
    listeners="listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
auto.create.topics.enable=true"
  fi
  # The file holds the operator's password in SASL mode: readable by this user only.
  (umask 077; cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=$i
$quorum
$listeners
log.dirs=$dir/data
num.partitions=3
# Every topic, internal ones included, has $replicas replica(s); a write with acks=all needs $min_isr
# in sync, so with three nodes any one may die without losing an acknowledged record or stopping writes.
offsets.topic.replication.factor=$replicas
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$replicas
transaction.state.log.min.isr=$min_isr
share.coordinator.state.topic.replication.factor=$replicas
share.coordinator.state.topic.min.isr=$min_isr
default.replication.factor=$replicas
min.insync.replicas=$min_isr
unclean.leader.election.enable=false
# A node that dies without a word (kill -9) is declared gone after the session time-out, and only
# then are its partitions given new leaders: 4 s here instead of 9, so writes stall for about that.
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=4000
group.initial.rebalance.delay.ms=0
delete.topic.enable=true
PROPS
  )
  cat >"$dir/log4j2.properties" <<PROPS
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = $dir/logs/server.log
appender.file.filePattern = $dir/logs/server.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
PROPS
}

# start_node i: formats node i's storage once, then starts it in the background (pid in its state).
start_node() {
  local i=$1 dir cp; dir="$(node_state "$i")"; cp="$(classpath)"
  write_config "$i"
  if [[ ! -f "$dir/data/meta.properties" ]]; then
    local format=(--config "$dir/server.properties" --cluster-id "$(cluster_id "$cp")")
    (( nodes == 1 )) && format+=(--standalone)
    if [[ "$security" == sasl ]]; then
      for p in "${shop_principals[@]}"; do format+=(--add-scram "SCRAM-SHA-512=[name=$p,password=$(password_of "$p")]"); done
    fi
    java -cp "$cp" -Dlog4j2.configurationFile="$dir/log4j2.properties" kafka.tools.StorageTool format "${format[@]}" \
      >>"$dir/logs/format.log" 2>&1 || { log "formatting node $i failed; see $dir/logs/format.log"; exit 1; }
    log "formatted KRaft storage of node $i (cluster $(cluster_id "$cp"))"
  fi
  # setsid: the broker outlives the shell (and the test runner) that started it.
  # shellcheck disable=SC2086
  setsid java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g} -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$dir/log4j2.properties" -cp "$cp" \
    kafka.Kafka "$dir/server.properties" >>"$dir/logs/stdout.log" 2>&1 </dev/null 9>&- &
  echo $! >"$dir/kafka.pid"
}

# One cluster id for every node of this state directory, made once.
cluster_id() {
  [[ -s "$state/cluster.id" ]] || java -cp "$1" kafka.tools.StorageTool random-uuid >"$state/cluster.id"
  cat "$state/cluster.id"
}

node_pid() { cat "$(node_state "$1")/kafka.pid" 2>/dev/null; }

start() {
  mkdir -p "$state"
  # One start at a time, however many test runners ask at once.
  exec 9>"$state/lock"
  flock 9
  local missing=()
  for ((i = 1; i <= nodes; i++)); do port_open "${ports[$((i - 1))]}" || missing+=("$i"); done
  if (( ${#missing[@]} == 0 )) && ready 20000; then
    log "reusing the broker already running at $bootstrap"
    echo "$bootstrap"
    return 0
  fi
  if (( ${#missing[@]} == 0 )); then
    log "the ports of $bootstrap are taken by something that is not a working Kafka broker"
    exit 1
  fi
  local t0; t0=$(date +%s%N)
  if [[ -s "$state/security" && "$(cat "$state/security")" != "$security" ]]; then
    log "the broker state in $state was made with KAFKA_SECURITY=$(cat "$state/security"), not $security: use another KAFKA_STATE_DIR, or stop the broker and remove $state"
    exit 1
  fi
  echo "$security" >"$state/security"
  ensure_credentials
  for i in "${missing[@]}"; do start_node "$i"; done
  local deadline=$((SECONDS + 90))
  for i in "${missing[@]}"; do
    until port_open "${ports[$((i - 1))]}"; do
      if ! kill -0 "$(node_pid "$i")" 2>/dev/null; then
        local dir; dir="$(node_state "$i")"
        log "node $i exited during start-up; see $dir/logs/server.log and $dir/logs/stdout.log"
        tail -n 20 "$dir/logs/stdout.log" >&2 || true
        exit 1
      fi
      (( SECONDS < deadline )) || { log "timed out waiting for port ${ports[$((i - 1))]}"; exit 1; }
      sleep 0.2
    done
  done
  ready 60000
  local what="broker"; (( nodes > 1 )) && what="cluster of $nodes nodes (started ${missing[*]})"
  log "$what ready at $bootstrap in $(( ($(date +%s%N) - t0) / 1000000 )) ms (logs in $state)"
  echo "$bootstrap"
}

stop() {
  local pids=()
  for ((i = 1; i <= nodes; i++)); do
    local pid; pid="$(node_pid "$i")"
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then pids+=("$pid"); kill -TERM "$pid"; fi
    rm -f "$(node_state "$i")/kafka.pid"
  done
  if (( ${#pids[@]} == 0 )); then
    log "no broker started from this checkout is running"
    return 0
  fi
  # All at once: a cluster that lost its quorum cannot finish a controlled shutdown, so the last
  # nodes get a short wait and then SIGKILL (their logs are flushed either way).
  local deadline=$((SECONDS + 60))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do
      if (( SECONDS >= deadline )); then
        log "broker $pid did not stop within 60 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.2
    done
  done
  log "broker stopped"
}

status() {
  for p in "${ports[@]}"; do port_open "$p" || exit 1; done
  if ready 10000; then echo "$bootstrap"; else exit 1; fi
}

# The jars' classpath (fetched through Maven on first use), e.g. to run compose-broker.sh here.
print_classpath() { classpath; echo; }

credentials_file() { if [[ "$security" == sasl ]]; then echo "$credentials"; fi; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  credentials) credentials_file ;;
  classpath) print_classpath ;;
  *) echo "usage: $0 start|stop|status|credentials|classpath" >&2; exit 2 ;;
esac
