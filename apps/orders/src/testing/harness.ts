/** The orders service for real (its own database, its own topics) through the shared service harness. */
import { randomUUID } from 'node:crypto';
import type { EventData, EventType, TopicName } from '@webshop/events';
import type { AnyOutgoingEvent, ConsumedRecord } from '@webshop/kafka';
import type { RunningService } from '@webshop/service-kit';
import { startServiceHarness, type RawRecord, type TestDatabase } from '@webshop/testing';
import { ordersService } from '../service';

export interface OrdersHarness {
  base: string;
  prefix: string;
  db: TestDatabase;
  service: RunningService;
  /** Publishes events as their real writer (payment, stock, shipping, email) would. */
  publish(events: AnyOutgoingEvent[]): Promise<void>;
  /** Sends records exactly as given: ones no real writer would publish. */
  publishRaw(records: RawRecord[]): Promise<void>;
  /** Waits until `count` records are on orders' dead-letter topic of `topic`; answers them all. */
  deadLetters(topic: TopicName, count?: number): Promise<ConsumedRecord[]>;
  /** How many events of `type` about the order orders ever decided to publish (its outbox). */
  outboxed(type: EventType, orderId: string): Promise<number>;
  stop(): Promise<void>;
}

/** How long a cancel waits for shipping's answer in these tests (the service's default is 10 s). */
export const CANCEL_WAIT_MS = 3_000;

export async function startOrders(): Promise<OrdersHarness> {
  const harness = await startServiceHarness(ordersService, { label: 'orders', reads: ['orders'], env: { CANCEL_WAIT_MS } });
  return {
    base: harness.url(''),
    prefix: harness.prefix,
    db: harness.db,
    service: harness.running,
    publish: async (events) => void (await harness.publish(events)),
    publishRaw: (records) => harness.publishRaw(records),
    deadLetters: (topic, count) => harness.deadLetters(topic, count),
    outboxed: (type, orderId) => harness.outboxed(type, orderId),
    stop: () => harness.stop(),
  };
}

export const product = (sku: string, priceCents: number, available = 100): AnyOutgoingEvent => ({
  type: 'ProductUpdated',
  data: { sku, name: `Product ${sku}`, priceCents, available, reserved: 0, updatedAt: new Date().toISOString() },
});

export const orderBody = (overrides: Record<string, unknown> = {}) => ({
  customerId: 'ada',
  email: 'ada@example.com',
  items: [{ sku: 'TEA-1', quantity: 2 }],
  shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
  ...overrides,
});

export async function http(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

export const paymentProcessed = (order: { orderId: string; totalCents: number }): AnyOutgoingEvent => ({
  type: 'PaymentProcessed',
  data: { orderId: order.orderId, paymentId: randomUUID(), customerId: 'ada', amountCents: order.totalCents, processedAt: new Date().toISOString() },
});
export const paymentDeclined = (order: { orderId: string; totalCents: number }): AnyOutgoingEvent => ({
  type: 'PaymentDeclined',
  data: { orderId: order.orderId, customerId: 'ada', amountCents: order.totalCents, reason: 'INSUFFICIENT_FUNDS', declinedAt: new Date().toISOString() },
});
export const stockReserved = (order: { orderId: string; items: EventData<'PurchaseRequested'>['items'] }): AnyOutgoingEvent => ({
  type: 'StockReserved',
  data: { orderId: order.orderId, items: order.items.map(({ sku, quantity }) => ({ sku, quantity })), reservedAt: new Date().toISOString() },
});
export const stockUnavailable = (order: { orderId: string }): AnyOutgoingEvent => ({
  type: 'StockUnavailable',
  data: { orderId: order.orderId, missing: [{ sku: 'TEA-1', requested: 2, available: 1 }], checkedAt: new Date().toISOString() },
});
export const shipmentCancelled = (order: { orderId: string }): AnyOutgoingEvent => ({
  type: 'ShipmentCancelled',
  data: { orderId: order.orderId, shipmentId: randomUUID(), trackingNumber: null, at: new Date().toISOString() },
});
export const shipmentDispatched = (order: { orderId: string }): AnyOutgoingEvent => ({
  type: 'ShipmentDispatched',
  data: { orderId: order.orderId, shipmentId: randomUUID(), trackingNumber: 'TRK-TEST-1', at: new Date().toISOString() },
});
