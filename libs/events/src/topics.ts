/**
 * The topic registry: which topic carries which events, keyed by what, written by whom
 * (docs/architecture.md, "Topics: one writer each"). Services take topic names, keys and writers
 * from here, never from a string literal of their own.
 */
import type { EventData, EventType } from './types';

export const serviceNames = ['orders', 'payment', 'stock', 'shipping', 'email'] as const;
export type ServiceName = (typeof serviceNames)[number];

export interface TopicDefinition {
  readonly name: string;
  /** The data field whose value is the record key: events about one order (or sku) stay in order on one partition. */
  readonly key: 'orderId' | 'sku';
  /** The only service that writes to the topic. */
  readonly writer: ServiceName;
  /** The services that consume it (each in its own consumer group); the broker lets no other read it. */
  readonly readers: readonly ServiceName[];
  readonly events: readonly EventType[];
}

export const topics = {
  orders: {
    name: 'orders',
    key: 'orderId',
    writer: 'orders',
    readers: ['orders', 'payment', 'stock', 'shipping', 'email'],
    events: ['PurchaseRequested', 'OrderConfirmed', 'OrderRejected', 'OrderCancellationRequested', 'OrderCancelled'],
  },
  payments: {
    name: 'payments',
    key: 'orderId',
    writer: 'payment',
    readers: ['orders'],
    events: ['PaymentProcessed', 'PaymentDeclined', 'PaymentRefunded'],
  },
  stock: {
    name: 'stock',
    key: 'orderId',
    writer: 'stock',
    readers: ['orders'],
    events: ['StockReserved', 'StockUnavailable', 'StockReleased'],
  },
  products: {
    name: 'products',
    key: 'sku',
    writer: 'stock',
    readers: ['orders'],
    events: ['ProductUpdated'],
  },
  shipments: {
    name: 'shipments',
    key: 'orderId',
    writer: 'shipping',
    readers: ['orders', 'email'],
    events: ['ShipmentScheduled', 'ShipmentDispatched', 'ShipmentDelivered', 'ShipmentCancelled'],
  },
  emails: {
    name: 'emails',
    key: 'orderId',
    writer: 'email',
    readers: ['orders'],
    events: ['EmailSent'],
  },
} as const satisfies { readonly [name: string]: TopicDefinition };

export type TopicName = keyof typeof topics;

// Each topic is named after its registry entry, checked by the compiler: a misnamed entry makes
// `Misnamed` its name, and `true` is then not assignable.
type Misnamed = { [N in TopicName]: (typeof topics)[N]['name'] extends N ? never : N }[TopicName];
const everyTopicNamedAfterItsEntry: [Misnamed] extends [never] ? true : Misnamed = true;
void everyTopicNamedAfterItsEntry;
export type Topic = (typeof topics)[TopicName];
export const topicNames = Object.keys(topics) as TopicName[];

/** The topics `service` consumes, as the registry says (and the broker's ACLs allow). */
export function topicsReadBy(service: ServiceName): Topic[] {
  return Object.values(topics).filter((topic) => (topic.readers as readonly ServiceName[]).includes(service));
}

/** The registry entry of the topic that carries events of type `T`. */
export type TopicOf<T extends EventType> = {
  [N in TopicName]: T extends (typeof topics)[N]['events'][number] ? (typeof topics)[N] : never;
}[TopicName];

const topicByEvent = new Map<EventType, Topic>(
  Object.values(topics).flatMap((topic) => topic.events.map((event) => [event, topic] as const)),
);

export function topicOf<T extends EventType>(eventType: T): TopicOf<T> {
  const topic = topicByEvent.get(eventType);
  if (!topic) throw new Error(`no topic carries ${eventType}`); // unreachable: a test covers every type
  return topic as TopicOf<T>;
}

/** The record key of an event: its orderId, or its sku on the products topic. */
export function keyOf<T extends EventType>(eventType: T, data: EventData<T>): string {
  const field = topicOf(eventType).key;
  const key = (data as unknown as Record<string, unknown>)[field];
  if (typeof key !== 'string' || key === '') throw new Error(`${eventType} has no ${field} to key it by`);
  return key;
}

/**
 * Where a consumer service parks the records of `topic` it cannot process: `<topic>.dlq.<service>`.
 * Takes any string so prefixed (per-test) topic names work too.
 */
export function dlqTopicName<N extends string, S extends ServiceName>(topic: N, consumer: S): `${N}.dlq.${S}` {
  return `${topic}.dlq.${consumer}`;
}
