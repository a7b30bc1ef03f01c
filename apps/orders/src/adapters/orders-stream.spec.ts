/**
 * An order's live stream (`GET /orders/:id/updates`) with two instances of orders on one database
 * and consumer group, as behind a load balancer: a client whose stream is cut at random points and
 * that resumes with Last-Event-ID, each time on the other instance, while the order's events keep
 * arriving, ends up with every entry of the timeline exactly once, ids strictly increasing.
 */
import { randomUUID } from 'node:crypto';
import type { AnyOutgoingEvent } from '@webshop/kafka';
import type { RunningService } from '@webshop/service-kit';
import { startServiceHarness, waitFor, type ServiceHarness } from '@webshop/testing';
import { ordersService } from '../service';
import { http, orderBody, paymentProcessed, product, stockReserved } from '../testing/harness';

type StreamEvent = { id?: string; event?: string; data?: string };

/** Reads a stream until `count` events (or its end) arrived, then cuts it. */
async function readSome(url: string, lastEventId: string | undefined, count: number): Promise<StreamEvent[]> {
  const response = await fetch(url, { headers: lastEventId ? { 'Last-Event-ID': lastEventId } : {} });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: StreamEvent[] = [];
  let buffer = '';
  while (events.length < count && events.at(-1)?.event !== 'end') {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const event: StreamEvent = {};
      for (const line of buffer.slice(0, cut).split('\n')) {
        const [field, ...rest] = line.split(': ');
        if (field === 'id' || field === 'event' || field === 'data') event[field] = rest.join(': ');
      }
      buffer = buffer.slice(cut + 2);
      if (event.event) events.push(event);
    }
  }
  await reader.cancel();
  return events;
}

/** A small seeded generator (mulberry32): the cut points repeat from run to run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("an order's live stream on two instances", () => {
  let harness: ServiceHarness;
  let other: RunningService;
  beforeAll(async () => {
    harness = await startServiceHarness(ordersService, { label: 'orders_stream', reads: ['orders'], env: { CANCEL_WAIT_MS: 3_000, SHUTDOWN_DRAIN_MS: 1_000 } });
    other = await harness.startAnotherInstance();
    await harness.publish([product('TEA-1', 450)]);
    await waitFor(async () => (await harness.db.pool.query('SELECT 1 FROM catalogue')).rowCount === 1, { description: 'the catalogue copy' });
  }, 90_000);
  afterAll(() => harness.stop());

  it('resumed from any id, on either instance, sends exactly the entries committed after it', async () => {
    const instances = [harness.url(''), `http://127.0.0.1:${other.port}`];
    const placed = await http(instances[0]!, 'POST', '/orders', orderBody());
    expect(placed.status).toBe(202);
    const order = placed.body as { orderId: string; totalCents: number; items: Array<{ sku: string; quantity: number; unitPriceCents: number }> };

    // The order's story goes on while the client reads: answers, shipment, delivery, with emails between.
    const at = () => new Date().toISOString();
    const shipmentId = randomUUID();
    const emailSent = (template: 'ORDER_CONFIRMED' | 'ORDER_SHIPPED'): AnyOutgoingEvent => ({
      type: 'EmailSent',
      data: { orderId: order.orderId, emailId: randomUUID(), to: 'ada@example.com', template, sentAt: at() },
    });
    const story: AnyOutgoingEvent[] = [
      paymentProcessed(order),
      stockReserved(order),
      { type: 'ShipmentScheduled', data: { orderId: order.orderId, shipmentId, trackingNumber: null, at: at() } },
      emailSent('ORDER_CONFIRMED'),
      { type: 'ShipmentDispatched', data: { orderId: order.orderId, shipmentId, trackingNumber: 'TRK-1', at: at() } },
      emailSent('ORDER_SHIPPED'),
      { type: 'ShipmentDelivered', data: { orderId: order.orderId, shipmentId, trackingNumber: 'TRK-1', at: at() } },
    ];
    const publishing = (async () => {
      for (const event of story) {
        await harness.publish([event]);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();

    const next = random(42);
    const received: StreamEvent[] = [];
    let cuts = 0;
    while (received.at(-1)?.event !== 'end') {
      const instance = instances[cuts % 2]!;
      const lastId = received.filter((e) => e.id).at(-1)?.id;
      received.push(...(await readSome(`${instance}/orders/${order.orderId}/updates`, lastId, 1 + Math.floor(next() * 3))));
      cuts += 1;
    }
    await publishing;

    const timeline = (await http(instances[1]!, 'GET', `/orders/${order.orderId}/timeline`)).body as Array<{ eventId: string; type: string }>;
    const entries = received.filter((e) => e.event !== 'end');
    const ids = entries.map((e) => Number(e.id));
    expect(cuts).toBeGreaterThan(3);
    expect(ids).toEqual(timeline.map((_, i) => i + 1)); // 1, 2, 3 … : none missing, none twice, in order
    expect(entries.map((e) => (JSON.parse(e.data!) as { eventId: string }).eventId).sort()).toEqual(timeline.map((e) => e.eventId).sort());
    expect(timeline.map((e) => e.type)).toContain('ShipmentDelivered');
  });
  it('an instance that stops says "not ready" at once while the other stays ready, and its streams resume on the other', async () => {
    const [a, b] = [harness.url(''), `http://127.0.0.1:${other.port}`];
    const placed = await http(a, 'POST', '/orders', orderBody());
    const order = placed.body as { orderId: string; totalCents: number; items: Array<{ sku: string; quantity: number; unitPriceCents: number }> };
    await harness.publish([paymentProcessed(order), stockReserved(order)]);
    await waitFor(async () => (await http(a, 'GET', `/orders/${order.orderId}/timeline`)).body.length === 4, {
      description: 'the order confirmed, OrderConfirmed in its timeline',
    });

    // A client follows the order on b; b begins to stop.
    const response = await fetch(`${b}/orders/${order.orderId}/updates`);
    const reading = response.text();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopped = other.stop();
    const [readyA, readyB] = await Promise.all([http(a, 'GET', '/readyz'), http(b, 'GET', '/readyz')]);
    expect(readyA.status).toBe(200);
    expect(readyB.status).toBe(503);
    expect(readyB.body.checks.find((c: { name: string }) => c.name === 'lifecycle')).toMatchObject({ ok: false, reason: 'stopping' });
    const text = await reading;
    expect(text).toMatch(/retry: \d+\nevent: reconnect\n/);
    await stopped;

    // It resumes on a with the last id it got: the entries after it, and then the live ones.
    const lastId = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]!).at(-1)!;
    const resumed = readSome(`${a}/orders/${order.orderId}/updates`, lastId, 1);
    await harness.publish([{ type: 'ShipmentScheduled', data: { orderId: order.orderId, shipmentId: randomUUID(), trackingNumber: null, at: new Date().toISOString() } }]);
    const [next] = await resumed;
    expect(Number(next!.id)).toBe(Number(lastId) + 1);
    expect(next!.event).toBe('ShipmentScheduled');
  });
});
