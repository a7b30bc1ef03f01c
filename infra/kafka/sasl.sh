# Sourced by kafka.sh (the local broker and cluster) and compose-broker.sh (docker-compose.yml's):
# what a broker with SASL is, in one place.

# The shop's principals: one per service, the web front end, and the operator (admin).
shop_principals=(admin orders payment stock shipping email web)

# sasl_properties <operator password> <client listener>...: the broker properties of SASL mode.
# Clients and brokers log in with SCRAM-SHA-512 on the client listeners; the controllers with PLAIN
# (KRaft controllers cannot use SCRAM: its credentials live in the metadata they serve). Only the
# operator is a super user; everyone else gets what the ACLs (libs/kafka/src/acls.ts) allow.
sasl_properties() {
  local password=$1 listener; shift
  cat <<PROPS
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$password" user_admin="$password";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin
allow.everyone.if.no.acl.found=false
auto.create.topics.enable=false
PROPS
  for listener in "$@"; do
    echo "listener.name.${listener,,}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$password\";"
  done
}
