#!/usr/bin/env bash
# A real, single-node Apache Kafka broker for local runs and tests, without Docker.
#
#   kafka.sh start    fetch the broker jars (Maven Central, via pom.xml), format KRaft storage once,
#                     start kafka.Kafka on 127.0.0.1, wait until it accepts a produce and a consume,
#                     print the bootstrap address. Idempotent: a broker already answering is reused.
#   kafka.sh stop     clean shutdown of the broker this checkout started.
#   kafka.sh status   prints the bootstrap address and exits 0 when a broker answers, else exits 1.
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_STATE_DIR (infra/kafka/.state),
# KAFKA_HEAP_OPTS (-Xms256m -Xmx1g). Broker logs go to $KAFKA_STATE_DIR/logs/server.log.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
state="${KAFKA_STATE_DIR:-$here/.state}"
bootstrap="127.0.0.1:$port"
pidfile="$state/kafka.pid"
log() { echo "[kafka] $*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The readiness probe is a real client round trip: create a topic, produce with acks=all, consume
# it back in a consumer group. An open port alone is not a ready broker.
ready() { node "$here/ready.mjs" "$bootstrap" "${1:-30000}"; }

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

write_config() {
  cat >"$state/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$state/data
num.partitions=3
# One node: every internal topic has one replica, and nobody waits for a second.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
PROPS
  cat >"$state/log4j2.properties" <<PROPS
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = $state/logs/server.log
appender.file.filePattern = $state/logs/server.log.%i
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

start() {
  mkdir -p "$state/logs"
  # One start at a time, however many test runners ask at once.
  exec 9>"$state/lock"
  flock 9
  if port_open "$port" && ready 20000; then
    log "reusing the broker already running at $bootstrap"
    echo "$bootstrap"
    return 0
  fi
  if port_open "$port"; then
    log "port $port is taken by something that is not a working Kafka broker"
    exit 1
  fi
  local cp; cp="$(classpath)"
  write_config
  if [[ ! -f "$state/data/meta.properties" ]]; then
    local cluster_id; cluster_id="$(java -cp "$cp" kafka.tools.StorageTool random-uuid)"
    java -cp "$cp" -Dlog4j2.configurationFile="$state/log4j2.properties" kafka.tools.StorageTool \
      format --config "$state/server.properties" --cluster-id "$cluster_id" --standalone \
      >>"$state/logs/format.log" 2>&1
    log "formatted KRaft storage (cluster $cluster_id)"
  fi
  local t0; t0=$(date +%s%N)
  # setsid: the broker outlives the shell (and the test runner) that started it.
  # shellcheck disable=SC2086
  setsid java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g} -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$state/log4j2.properties" -cp "$cp" \
    kafka.Kafka "$state/server.properties" >>"$state/logs/stdout.log" 2>&1 </dev/null 9>&- &
  echo $! >"$pidfile"
  local deadline=$((SECONDS + 90))
  until port_open "$port"; do
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      log "the broker exited during start-up; see $state/logs/server.log and $state/logs/stdout.log"
      tail -n 20 "$state/logs/stdout.log" >&2 || true
      exit 1
    fi
    (( SECONDS < deadline )) || { log "timed out waiting for port $port"; exit 1; }
    sleep 0.2
  done
  ready 60000
  log "broker ready at $bootstrap in $(( ($(date +%s%N) - t0) / 1000000 )) ms (pid $(cat "$pidfile"), logs in $state/logs)"
  echo "$bootstrap"
}

stop() {
  if [[ ! -f "$pidfile" ]] || ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    rm -f "$pidfile"
    log "no broker started from this checkout is running"
    return 0
  fi
  local pid; pid="$(cat "$pidfile")"
  kill -TERM "$pid"
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if (( SECONDS >= deadline )); then
      log "broker $pid did not stop within 60 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$pidfile"
  log "broker stopped"
}

status() {
  if port_open "$port" && ready 10000; then echo "$bootstrap"; else exit 1; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
