/**
 * The broker's access rules, derived from the topic registry (libs/events), never written by hand:
 * "single writer per topic" and "each service reads what it consumes" enforced by Kafka itself.
 *
 *   a service (principal User:<service>)
 *     WRITE    the topics it is the writer of, and its own dead-letter topics (<topic>.dlq.<service>)
 *     READ     the topics the registry lists it as a reader of
 *     CREATE   those same topics (whichever service starts first creates them), DESCRIBE all of them
 *     GROUP    its own consumer group only (<prefix><service>)
 *     TRANSACTIONAL_ID  its own outbox relay's (<prefix><service>.outbox-relay)
 *   the web front end (User:web): READ and DESCRIBE every registry topic, its own group <prefix>web
 *   the operator (User:admin): a super user of the broker (topics, ACLs, dead-letter replays)
 *
 * Names carry the topic prefix, so that several shops (test runs) on one broker each get their own
 * rules. Everything not allowed is refused: the broker runs with allow.everyone.if.no.acl.found=false.
 */
import { serviceNames, topics, type ServiceName } from '@webshop/events';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { kafkajsOf, type KafkaClient } from './kafka-client';

/** The principals of the shop: one per service, the web front end's, and the operator's. */
export const principals = [...serviceNames, 'web', 'admin'] as const;
export type Principal = (typeof principals)[number];

export type AclResource = 'topic' | 'group' | 'transactional-id';
export type AclOperation = 'read' | 'write' | 'create' | 'describe';

/** One permission: `principal` may do `operation` on the resource named exactly `name`. */
export interface Acl {
  principal: Exclude<Principal, 'admin'>;
  resource: AclResource;
  name: string;
  operation: AclOperation;
}

const dlqOf = (topic: string, service: ServiceName) => `${topic}.dlq.${service}`;

function serviceAcls(service: ServiceName, prefix: string): Acl[] {
  const allow = (resource: AclResource, name: string, ...operations: AclOperation[]): Acl[] =>
    operations.map((operation) => ({ principal: service, resource, name, operation }));
  const registry = Object.values(topics);
  const written = registry.filter((t) => t.writer === service).map((t) => prefix + t.name);
  const read = registry.filter((t) => (t.readers as readonly ServiceName[]).includes(service)).map((t) => prefix + t.name);
  return [
    ...written.flatMap((name) => allow('topic', name, 'write', 'create', 'describe')),
    ...read.flatMap((name) => allow('topic', name, 'read', 'create', 'describe')),
    ...read.flatMap((name) => allow('topic', dlqOf(name, service), 'write', 'create', 'describe')),
    ...allow('group', prefix + service, 'read', 'describe'),
    ...allow('transactional-id', `${prefix}${service}.outbox-relay`, 'write', 'describe'),
  ];
}

function webAcls(prefix: string): Acl[] {
  return [
    ...Object.values(topics).flatMap((t): Acl[] => (['read', 'describe'] as const).map((operation) => ({ principal: 'web', resource: 'topic', name: prefix + t.name, operation }))),
    { principal: 'web', resource: 'group', name: `${prefix}web`, operation: 'read' },
  ];
}

/** Every permission of the shop whose topics carry `prefix`, from the registry. */
export function shopAcls(prefix = ''): Acl[] {
  return [...serviceNames.flatMap((service) => serviceAcls(service, prefix)), ...webAcls(prefix)];
}

const resourceTypes = { topic: AclResourceTypes.TOPIC, group: AclResourceTypes.GROUP, 'transactional-id': AclResourceTypes.TRANSACTIONAL_ID };
const operations = { read: AclOperationTypes.READ, write: AclOperationTypes.WRITE, create: AclOperationTypes.CREATE, describe: AclOperationTypes.DESCRIBE };

/** Creates the shop's ACLs on the broker (idempotent: the broker keeps one copy of each). Needs the operator's client. */
export async function applyShopAcls(adminClient: KafkaClient, prefix = ''): Promise<number> {
  const acls = shopAcls(prefix);
  const admin = kafkajsOf(adminClient).admin();
  await admin.connect();
  try {
    await admin.createAcls({
      acl: acls.map((acl) => ({
        principal: `User:${acl.principal}`,
        host: '*',
        resourceType: resourceTypes[acl.resource],
        resourceName: acl.name,
        resourcePatternType: ResourcePatternTypes.LITERAL,
        operation: operations[acl.operation],
        permissionType: AclPermissionTypes.ALLOW,
      })),
    });
  } finally {
    await admin.disconnect();
  }
  return acls.length;
}
