/**
 * The broker's access rules, derived from the topic registry (libs/events), never written by hand:
 * "single writer per topic" and "each service reads what it consumes" enforced by Kafka itself.
 *
 *   a service (principal User:<service>)
 *     WRITE    the topics it is the writer of, and its own dead-letter topics (<topic>.dlq.<service>)
 *     READ     the topics the registry lists it as a reader of
 *     CREATE   those same topics (whichever service starts first creates them), DESCRIBE all of them
 *     GROUP    its own consumer group only (<prefix><service>), and its replays' groups (every
 *              group named <prefix><service>.replay.…, which a rebuild makes and deletes)
 *     TRANSACTIONAL_ID  its own outbox relay's (<prefix><service>.outbox-relay)
 *   the web front end (User:web): READ and DESCRIBE every registry topic, its own group <prefix>web
 *   the operator (User:admin): a super user of the broker (topics, ACLs, dead-letter replays)
 *
 * Names carry the topic prefix, so that several shops (test runs) on one broker each get their own
 * rules. Everything not allowed is refused: the broker runs with allow.everyone.if.no.acl.found=false.
 */
import { serviceNames, topics, type ServiceName } from '@webshop/events';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type Admin } from 'kafkajs';
import { kafkajsOf, type KafkaClient } from './kafka-client';

/** The principals of the shop: one per service, the web front end's, and the operator's. */
export const principals = [...serviceNames, 'web', 'admin'] as const;
export type Principal = (typeof principals)[number];

export type AclResource = 'topic' | 'group' | 'transactional-id';
export type AclOperation = 'read' | 'write' | 'create' | 'describe' | 'delete';

/** One permission: `principal` may do `operation` on the resource named exactly `name` (or, `prefixed`, every name that starts with it). */
export interface Acl {
  principal: Exclude<Principal, 'admin'>;
  resource: AclResource;
  name: string;
  operation: AclOperation;
  prefixed?: true;
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
    ...allow('group', `${prefix}${service}.replay.`, 'read', 'describe', 'delete').map((acl): Acl => ({ ...acl, prefixed: true })),
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
const operations = { read: AclOperationTypes.READ, write: AclOperationTypes.WRITE, create: AclOperationTypes.CREATE, describe: AclOperationTypes.DESCRIBE, delete: AclOperationTypes.DELETE };

const asKafkajsAcl = (acl: Acl) => ({
  principal: `User:${acl.principal}`,
  host: '*',
  resourceType: resourceTypes[acl.resource],
  resourceName: acl.name,
  resourcePatternType: acl.prefixed ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
  operation: operations[acl.operation],
  permissionType: AclPermissionTypes.ALLOW,
});

async function withAdmin<T>(adminClient: KafkaClient, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafkajsOf(adminClient).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Creates the shop's ACLs on the broker (idempotent: the broker keeps one copy of each). Needs the operator's client. */
export async function applyShopAcls(adminClient: KafkaClient, prefix = ''): Promise<number> {
  const acls = shopAcls(prefix);
  await withAdmin(adminClient, (admin) => admin.createAcls({ acl: acls.map(asKafkajsAcl) }));
  return acls.length;
}

/** Removes exactly the ACLs `applyShopAcls` made for `prefix` (a test's shop, done with its topics); answers how many went. */
export async function revokeShopAcls(adminClient: KafkaClient, prefix: string): Promise<number> {
  const { filterResponses } = await withAdmin(adminClient, (admin) => admin.deleteAcls({ filters: shopAcls(prefix).map(asKafkajsAcl) }));
  return filterResponses.reduce((sum, response) => sum + response.matchingAcls.length, 0);
}
