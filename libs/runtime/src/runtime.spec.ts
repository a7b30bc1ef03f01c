/**
 * The runtime against a real Postgres: a decision's state and its published events commit together
 * or not at all, facts no topic carries stay out of the outbox, and the mode decides whether
 * workflows run. The toy decider keeps a refund per order (one row) and may note a local fact.
 */
import { randomUUID } from 'node:crypto';
import { DomainError, type Decider } from '@webshop/domain';
import type { EventOf } from '@webshop/events';
import { messagingMigrations, type AnyIncomingEvent } from '@webshop/kafka';
import { migrate, withTransaction, type PoolClient } from '@webshop/postgres';
import { createTestDatabase, type TestDatabase } from '@webshop/postgres/testing';
import { decideAndRecord, decidingView, eventHandlersFor, onEach, type DecisionStore } from './index';

type Refund = { orderId: string; refunded: boolean; notes: number };
type Noted = { type: 'RefundNoted'; data: { orderId: string } };
type Event = EventOf<'PaymentRefunded'> | Noted;
type Command = { orderId: string; note?: boolean; refuse?: boolean };

const refunds: Pick<Decider<Command, Refund, Event>, 'decide' | 'evolve'> = {
  decide(command, state) {
    if (command.refuse) throw new DomainError(409, 'not_refundable', 'no');
    if (command.note) return [{ type: 'RefundNoted', data: { orderId: command.orderId } }];
    if (state.refunded) return [];
    return [{ type: 'PaymentRefunded', data: { orderId: command.orderId, paymentId: randomUUID(), amountCents: 900, refundedAt: new Date().toISOString() } }];
  },
  evolve: (state, event) => (event.type === 'RefundNoted' ? { ...state, notes: state.notes + 1 } : { ...state, refunded: true }),
};

describe('the runtime', () => {
  let db: TestDatabase;
  let saves = 0;
  const store = <E = Event>(orderId: string): DecisionStore<Refund, E> => ({
    async load(tx) {
      const { rows } = await tx.query<{ refunded: boolean; notes: number }>('SELECT refunded, notes FROM refunds WHERE order_id = $1 FOR UPDATE', [orderId]);
      return { orderId, refunded: rows[0]?.refunded ?? false, notes: rows[0]?.notes ?? 0 };
    },
    async save(tx, after) {
      saves++;
      await tx.query(
        `INSERT INTO refunds (order_id, refunded, notes) VALUES ($1, $2, $3) ON CONFLICT (order_id) DO UPDATE SET refunded = $2, notes = $3`,
        [orderId, after.refunded, after.notes],
      );
    },
  });
  const decide = (command: Command, cause?: { eventId: string; traceparent: string | null }) =>
    withTransaction(db.pool, (tx) => decideAndRecord(tx, 'payment', refunds, store(command.orderId), command, cause));
  const outbox = async (orderId: string) =>
    (await db.pool.query<{ event_type: string; headers: Record<string, string> }>('SELECT event_type, headers FROM outbox WHERE key = $1 ORDER BY id', [orderId])).rows;
  const row = async (orderId: string) => (await db.pool.query('SELECT refunded, notes FROM refunds WHERE order_id = $1', [orderId])).rows[0];

  beforeAll(async () => {
    db = await createTestDatabase('runtime');
    await migrate(db.pool, [...messagingMigrations, { id: '001_refunds', sql: 'CREATE TABLE refunds (order_id uuid PRIMARY KEY, refunded boolean NOT NULL, notes int NOT NULL)' }]);
  });
  afterAll(() => db?.drop());

  it('saves the state the events led to and appends them to the outbox, caused by the record in hand', async () => {
    const orderId = randomUUID();
    const causeId = randomUUID();
    const { events, after } = await decide({ orderId }, { eventId: causeId, traceparent: null });
    expect(events.map((e) => e.type)).toEqual(['PaymentRefunded']);
    expect(after).toEqual({ orderId, refunded: true, notes: 0 });
    expect(await row(orderId)).toEqual({ refunded: true, notes: 0 });
    const [record, ...more] = await outbox(orderId);
    expect(more).toEqual([]);
    expect(record).toMatchObject({ event_type: 'PaymentRefunded', headers: expect.objectContaining({ 'causation-id': causeId }) });
  });

  it('decides nothing twice: no save and no event when nothing happened', async () => {
    const orderId = randomUUID();
    await decide({ orderId });
    const before = saves;
    expect((await decide({ orderId })).events).toEqual([]);
    expect(saves).toBe(before);
    expect(await outbox(orderId)).toHaveLength(1);
  });

  it('keeps a fact no topic carries in the state and out of the outbox', async () => {
    const orderId = randomUUID();
    await decide({ orderId, note: true });
    expect(await row(orderId)).toEqual({ refunded: false, notes: 1 });
    expect(await outbox(orderId)).toEqual([]);
  });

  it('changes nothing when the decider refuses, and lets the refusal through', async () => {
    const orderId = randomUUID();
    await expect(decide({ orderId, refuse: true })).rejects.toMatchObject({ code: 'not_refundable', status: 409 });
    expect(await row(orderId)).toBeUndefined();
    expect(await outbox(orderId)).toEqual([]);
  });

  describe('a view a workflow decides on', () => {
    // Each OrderCancelled about an order is noted in its row; the workflow refunds it once.
    const view = decidingView<Refund, { at: string }, EventOf<'PaymentRefunded'>>({
      service: 'payment',
      types: ['OrderCancelled'],
      store: (event) => store((event.data as { orderId: string }).orderId),
      fold: (_tx, state) => ({ ...state, notes: state.notes + 1 }),
      workflow: {
        decide: ({ at }, state) =>
          state.refunded ? [] : [{ type: 'PaymentRefunded', data: { orderId: state.orderId, paymentId: randomUUID(), amountCents: 900, refundedAt: at } }],
        evolve: (state) => ({ ...state, refunded: true }),
      },
      step: () => ({ at: new Date().toISOString() }),
    });
    const cancelled = (orderId: string) =>
      ({ type: 'OrderCancelled', eventId: randomUUID(), traceparent: null, data: { orderId, reason: 'x', cancelledAt: new Date().toISOString() } }) as unknown as AnyIncomingEvent;
    const apply = (mode: 'live' | 'replay', event: AnyIncomingEvent) =>
      withTransaction(db.pool, (tx) => eventHandlersFor({ views: [view] }, mode).OrderCancelled!(event as never, tx));

    it('live: folds the event, decides on the folded state, saves once and publishes the decision caused by the event', async () => {
      const orderId = randomUUID();
      const event = cancelled(orderId);
      const before = saves;
      await apply('live', event);
      expect(saves - before).toBe(1);
      expect(await row(orderId)).toEqual({ refunded: true, notes: 1 });
      expect(await outbox(orderId)).toEqual([expect.objectContaining({ event_type: 'PaymentRefunded', headers: expect.objectContaining({ 'causation-id': event.eventId }) })]);

      await apply('live', cancelled(orderId)); // decided once: the second only folds
      expect(await row(orderId)).toEqual({ refunded: true, notes: 2 });
      expect(await outbox(orderId)).toHaveLength(1);
    });

    it('replay: folds only, so a rebuild decides nothing again', async () => {
      const orderId = randomUUID();
      await apply('replay', cancelled(orderId));
      expect(await row(orderId)).toEqual({ refunded: false, notes: 1 });
      expect(await outbox(orderId)).toEqual([]);
    });
  });

  it('rolls the state back with the transaction when the outbox refuses an event', async () => {
    const orderId = randomUUID();
    // Stock may not write a payments event: the outbox refuses, and the saved state goes with it.
    await expect(withTransaction(db.pool, (tx) => decideAndRecord(tx, 'stock', refunds, store(orderId), { orderId }))).rejects.toThrow(/may not publish/);
    expect(await row(orderId)).toBeUndefined();
  });
});

describe('the consumer handlers for a mode', () => {
  const calls: string[] = [];
  const event = { type: 'OrderConfirmed', data: { orderId: randomUUID() } } as unknown as AnyIncomingEvent;
  const tx = {} as PoolClient; // never touched: the reactions only note that they ran
  const plan = {
    projections: [onEach(['OrderConfirmed', 'OrderRejected'], async () => void calls.push('view')), { OrderConfirmed: async () => void calls.push('timeline') }],
    views: [(mode: string) => ({ OrderConfirmed: async () => void calls.push(`order-${mode}`) })],
    workflows: [{ OrderConfirmed: async () => void calls.push('saga') }, { PurchaseRequested: async () => void calls.push('charge') }],
  };
  beforeEach(() => calls.splice(0));

  it('live: runs the projections first, in order, then the views, then the workflows', async () => {
    const handlers = eventHandlersFor(plan, 'live');
    await handlers.OrderConfirmed!(event as never, tx);
    expect(calls).toEqual(['view', 'timeline', 'order-live', 'saga']);
    expect(Object.keys(handlers).sort()).toEqual(['OrderConfirmed', 'OrderRejected', 'PurchaseRequested']);
  });

  it('replay: runs the projections and the views in their replay mode, so a rebuild never acts again', async () => {
    const handlers = eventHandlersFor(plan, 'replay');
    await handlers.OrderConfirmed!(event as never, tx);
    expect(calls).toEqual(['view', 'timeline', 'order-replay']);
    expect(handlers.PurchaseRequested).toBeUndefined();
  });
});
