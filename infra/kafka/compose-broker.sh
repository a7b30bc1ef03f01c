#!/usr/bin/env bash
# docker-compose.yml's Kafka: one KRaft node (broker and controller) with SASL and ACLs, as
# infra/kafka runs the local broker (sasl.sh), in the apache/kafka image (its entrypoint).
#
# Listeners: INTERNAL on 9092 (kafka:9092, for the services), EXTERNAL on 9094 (localhost:9094, for
# the host's tools), CONTROLLER on 9093. The principals' passwords come from the environment,
# KAFKA_PASSWORD_<principal> (compose takes them from .env); the SCRAM users are made when the
# storage is formatted, on the first start: a password changed later needs a fresh volume
# (`docker compose down -v`). The shop's ACLs are applied by the one-shot `kafka-acls` service.
#
# Outside the image (a test on this machine): KAFKA_CLASSPATH (the jars, `kafka.sh classpath`),
# KAFKA_DATA_DIR, KAFKA_CONFIG_DIR, KAFKA_BIND (0.0.0.0), KAFKA_HOST (kafka), KAFKA_EXTERNAL_HOST
# (localhost), KAFKA_INTERNAL_PORT, KAFKA_CONTROLLER_PORT, KAFKA_EXTERNAL_PORT.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/sasl.sh"

data="${KAFKA_DATA_DIR:-/var/lib/kafka/data}"
config="${KAFKA_CONFIG_DIR:-/tmp/kafka-config}"
bind="${KAFKA_BIND:-0.0.0.0}" host="${KAFKA_HOST:-kafka}" external_host="${KAFKA_EXTERNAL_HOST:-localhost}"
internal="${KAFKA_INTERNAL_PORT:-9092}" controller="${KAFKA_CONTROLLER_PORT:-9093}" external="${KAFKA_EXTERNAL_PORT:-9094}"

password_of() {
  local name="KAFKA_PASSWORD_$1"
  [[ -n "${!name:-}" ]] || { echo "[kafka] $name is not set: every principal needs a password (see .env.example)" >&2; exit 2; }
  echo "${!name}"
}
for p in "${shop_principals[@]}"; do password_of "$p" >/dev/null; done

# The jars: the image's own scripts, or a classpath given (KAFKA_CLASSPATH).
run_tool() { if [[ -n "${KAFKA_CLASSPATH:-}" ]]; then java -cp "$KAFKA_CLASSPATH" "$@"; else /opt/kafka/bin/kafka-run-class.sh "$@"; fi; }

mkdir -p "$config" "$data"
(umask 077; cat >"$config/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$host:$controller
listeners=INTERNAL://$bind:$internal,EXTERNAL://$bind:$external,CONTROLLER://$bind:$controller
advertised.listeners=INTERNAL://$host:$internal,EXTERNAL://$external_host:$external,CONTROLLER://$host:$controller
controller.listener.names=CONTROLLER
inter.broker.listener.name=INTERNAL
listener.security.protocol.map=INTERNAL:SASL_PLAINTEXT,EXTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
$(sasl_properties "$(password_of admin)" INTERNAL EXTERNAL)
log.dirs=$data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
# The operator's client settings, for the health check (kafka-broker-api-versions.sh --command-config).
cat >"$config/admin.properties" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(password_of admin)";
PROPS
)

if [[ ! -f "$data/meta.properties" ]]; then
  format=(--config "$config/server.properties" --cluster-id "${CLUSTER_ID:-$(run_tool kafka.tools.StorageTool random-uuid)}" --standalone)
  for p in "${shop_principals[@]}"; do format+=(--add-scram "SCRAM-SHA-512=[name=$p,password=$(password_of "$p")]"); done
  run_tool kafka.tools.StorageTool format "${format[@]}"
fi
if [[ -n "${KAFKA_CLASSPATH:-}" ]]; then exec java -cp "$KAFKA_CLASSPATH" kafka.Kafka "$config/server.properties"; fi
exec /opt/kafka/bin/kafka-server-start.sh "$config/server.properties"
