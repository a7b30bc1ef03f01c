/**
 * The invariants, each a named pure function of the snapshot, the ledger and what the run did:
 * pass or fail, with the details that say which order, customer, sku or mail broke it.
 */
import { eventTypes as allEventTypes, type EventType } from '@webshop/events';
import { finalStatuses, keyViolations, storyViolations, withinAmounts, type Ledger } from './ledger';
import type { Snapshot } from './snapshot';
import type { ExitRecord } from './supervisor';
import type { FaultRecord } from './faults';
import { streamViolations, type StreamFollow } from './streams';

export interface CheckResult {
  name: string;
  passed: boolean;
  /** What it looked at, e.g. "312 orders". */
  scope: string;
  details: string[];
}

export interface CheckContext {
  snapshot: Snapshot;
  ledger: Ledger;
  exits: readonly ExitRecord[];
  faults: readonly FaultRecord[];
  /** When the run started (epoch ms), to place mail deliveries on the run's clock. */
  startedAt: number;
  /** Instances of each service. */
  replicas: number;
  /** The live streams followed through the run. */
  streams: readonly StreamFollow[];
}

/**
 * How long a frozen relay leader may hold up its service's events: the lease it stops renewing
 * (3 s, libs/kafka/src/outbox-relay.ts), the next instance's retry (1 s), and slack for a busy machine.
 */
export const FROZEN_LEADER_BOUND_MS = 3_000 + 1_000 + 4_000;

type Check = { name: string; run: (c: CheckContext) => Omit<CheckResult, 'name' | 'passed'> };

const MAX_DETAILS = 50;
const result = (name: string, { scope, details }: Omit<CheckResult, 'name' | 'passed'>): CheckResult => ({
  name,
  passed: details.length === 0,
  scope,
  details: details.length > MAX_DETAILS ? [...details.slice(0, MAX_DETAILS), `… and ${details.length - MAX_DETAILS} more`] : details,
});

/** Templates the story of an order calls for, from its final status and its timeline. */
export function expectedTemplates(status: string, eventTypes: ReadonlySet<string>): string[] {
  const t: string[] = [];
  if (eventTypes.has('OrderConfirmed')) t.push('ORDER_CONFIRMED');
  if (status === 'REJECTED') t.push('ORDER_REJECTED');
  if (eventTypes.has('ShipmentDispatched')) t.push('ORDER_SHIPPED');
  if (status === 'CANCELLED') t.push('ORDER_CANCELLED');
  return t;
}

/**
 * Events that happen at most once in an order's life: every type but the catalogue's, the emails
 * (one per template, checked apart below) and the cancellation request.
 */
const mayRepeat: readonly EventType[] = ['ProductUpdated', 'EmailSent', 'OrderCancellationRequested'];
const onceOnly = allEventTypes.filter((type) => !mayRepeat.includes(type));

const byOrder = <T extends { orderId: string }>(rows: readonly T[]) => {
  const m = new Map<string, T[]>();
  for (const r of rows) m.set(r.orderId, [...(m.get(r.orderId) ?? []), r]);
  return m;
};
const emailIdOf = (messageId: string) => /^<([^@>]+)@webshop>$/.exec(messageId)?.[1];

export const checks: Check[] = [
  {
    name: 'every accepted order exists and is final',
    run: ({ snapshot, ledger }) => {
      const details: string[] = [];
      for (const id of ledger.orders.keys()) {
        const view = snapshot.views.get(id);
        if (!view) details.push(`${id}: lost`);
        else if (!finalStatuses.includes(view.status)) details.push(`${id}: stuck ${view.status}`);
      }
      for (const o of snapshot.orders) if (!finalStatuses.includes(o.status as never)) details.push(`${o.orderId}: in the database, not final (${o.status})`);
      return { scope: `${ledger.orders.size} accepted orders, ${snapshot.orders.length} in the database`, details };
    },
  },
  {
    name: 'every order agrees with every answer the client got',
    run: ({ snapshot, ledger }) => ({
      scope: `${ledger.exchanges.length} answers`,
      details: [...ledger.orders.values()].flatMap((s) => storyViolations(s, snapshot.views.get(s.orderId)).map((v) => `${s.orderId} (${s.kind}): ${v}`)),
    }),
  },
  {
    name: "payment agrees with each order's status",
    run: ({ snapshot }) => {
      const details: string[] = [];
      for (const o of snapshot.orders) {
        const p = snapshot.payments.get(o.orderId);
        const status = p?.status ?? 'none';
        const ok =
          ['CONFIRMED', 'SHIPPED', 'DELIVERED'].includes(o.status)
            ? status === 'PROCESSED'
            : o.status === 'REJECTED' && o.rejectionReason === 'PAYMENT_DECLINED'
              ? status === 'DECLINED'
              : o.status === 'REJECTED' || o.status === 'CANCELLED'
                ? ['REFUNDED', 'DECLINED', 'none'].includes(status) && (status !== 'none' || o.status === 'CANCELLED')
                : true;
        if (!ok) details.push(`${o.orderId}: order ${o.status}${o.rejectionReason ? ` ${o.rejectionReason}` : ''}, payment ${status}`);
        if (p && p.amountCents !== o.totalCents) details.push(`${o.orderId}: payment of ${p.amountCents}, order total ${o.totalCents}`);
      }
      return { scope: `${snapshot.orders.length} orders, ${snapshot.payments.size} payments`, details };
    },
  },
  {
    name: "reservation agrees with each order's status",
    run: ({ snapshot }) => {
      const details: string[] = [];
      for (const o of snapshot.orders) {
        const status = snapshot.reservations.get(o.orderId)?.status ?? 'none';
        const ok = ['CONFIRMED', 'SHIPPED', 'DELIVERED'].includes(o.status)
          ? status === 'COMMITTED'
          : o.status === 'REJECTED' && o.rejectionReason === 'OUT_OF_STOCK'
            ? status === 'UNAVAILABLE'
            : o.status === 'REJECTED' || o.status === 'CANCELLED'
              ? ['RELEASED', 'UNAVAILABLE'].includes(status) || (status === 'none' && o.status === 'CANCELLED')
              : true;
        if (!ok) details.push(`${o.orderId}: order ${o.status}${o.rejectionReason ? ` ${o.rejectionReason}` : ''}, reservation ${status}`);
      }
      return { scope: `${snapshot.orders.length} orders, ${snapshot.reservations.size} reservations`, details };
    },
  },
  {
    name: "shipment agrees with each order's status",
    run: ({ snapshot }) => {
      const details: string[] = [];
      const expected: Record<string, string[]> = { DELIVERED: ['DELIVERED'], SHIPPED: ['DISPATCHED'], CONFIRMED: ['SCHEDULED'], CANCELLED: ['CANCELLED', 'none'], REJECTED: ['none'], PENDING: ['none'] };
      for (const o of snapshot.orders) {
        const status = snapshot.shipments.get(o.orderId) ?? 'none';
        if (!(expected[o.status] ?? []).includes(status)) details.push(`${o.orderId}: order ${o.status}, shipment ${status}`);
      }
      return { scope: `${snapshot.orders.length} orders, ${snapshot.shipments.size} shipments`, details };
    },
  },
  {
    name: 'per customer: balance = deposits − processed payments, never negative',
    run: ({ snapshot, ledger }) => {
      const details: string[] = [];
      const customers = new Set([...snapshot.accounts.keys(), ...ledger.deposits.keys()]);
      for (const c of customers) {
        const balance = snapshot.accounts.get(c) ?? 0;
        const deposited = snapshot.deposits.get(c) ?? 0;
        const paid = [...snapshot.payments.values()].filter((p) => p.customerId === c && p.status === 'PROCESSED').reduce((a, p) => a + p.amountCents, 0);
        if (balance !== deposited - paid) details.push(`${c}: balance ${balance}, deposits ${deposited} − payments ${paid} = ${deposited - paid}`);
        if (balance < 0) details.push(`${c}: negative balance ${balance}`);
        const put = ledger.deposits.get(c);
        if (put && !withinAmounts(deposited, put)) details.push(`${c}: deposits ${deposited}, the client was told ${put.confirmed} (+ up to ${put.uncertain} unanswered)`);
      }
      return { scope: `${customers.size} customers`, details };
    },
  },
  {
    name: 'per sku: restocked = available + reserved + sold, never negative',
    run: ({ snapshot, ledger }) => {
      const details: string[] = [];
      const held = new Map<string, { reserved: number; sold: number }>();
      for (const r of snapshot.reservations.values()) {
        for (const line of r.items) {
          const h = held.get(line.sku) ?? { reserved: 0, sold: 0 };
          if (r.status === 'RESERVED') h.reserved += line.quantity;
          if (r.status === 'COMMITTED') h.sold += line.quantity;
          held.set(line.sku, h);
        }
      }
      for (const [sku, p] of snapshot.products) {
        const h = held.get(sku) ?? { reserved: 0, sold: 0 };
        const restocked = ledger.restocks.get(sku) ?? { confirmed: 0, uncertain: 0 };
        const total = p.available + p.reserved + h.sold;
        if (p.available < 0 || p.reserved < 0) details.push(`${sku}: negative (available ${p.available}, reserved ${p.reserved})`);
        if (p.reserved !== h.reserved) details.push(`${sku}: reserved ${p.reserved}, held reservations ${h.reserved}`);
        if (!withinAmounts(total, restocked)) details.push(`${sku}: available ${p.available} + reserved ${p.reserved} + sold ${h.sold} = ${total}, restocked ${restocked.confirmed} (+ up to ${restocked.uncertain} unanswered)`);
      }
      return { scope: `${snapshot.products.size} products`, details };
    },
  },
  {
    name: 'no effect twice in any timeline',
    run: ({ snapshot }) => {
      const details: string[] = [];
      const ids = new Set<string>();
      for (const [orderId, rows] of byOrder(snapshot.timeline)) {
        const counts = new Map<string, number>();
        for (const r of rows) {
          if (ids.has(r.eventId)) details.push(`${orderId}: event ${r.eventId} twice`);
          ids.add(r.eventId);
          const key = r.type === 'EmailSent' ? `EmailSent ${String(r.data['template'])}` : r.type;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        for (const [type, n] of counts) if (n > 1 && ((onceOnly as readonly string[]).includes(type) || type.startsWith('EmailSent'))) details.push(`${orderId}: ${type} ${n} times`);
      }
      return { scope: `${snapshot.timeline.length} timeline entries`, details };
    },
  },
  {
    name: 'exactly one email per (order, template) the story calls for, at the API',
    run: ({ snapshot }) => {
      const details: string[] = [];
      const types = new Map<string, Set<string>>();
      for (const r of snapshot.timeline) types.set(r.orderId, (types.get(r.orderId) ?? new Set()).add(r.type));
      for (const o of snapshot.orders) {
        if (!snapshot.apiEmails.has(o.orderId)) continue; // not an order of the workload (poison, set-up) is read below
        const want = expectedTemplates(o.status, types.get(o.orderId) ?? new Set()).sort();
        const got = (snapshot.apiEmails.get(o.orderId) ?? []).map((e) => e.template).sort();
        if (want.join() !== got.join()) details.push(`${o.orderId} (${o.status}): wants ${want.join(', ') || 'none'}, the API lists ${got.join(', ') || 'none'}`);
      }
      const pending = snapshot.emails.filter((e) => e.status !== 'SENT');
      for (const e of pending) details.push(`${e.orderId}: ${e.template} still ${e.status}`);
      return { scope: `${snapshot.apiEmails.size} orders' emails`, details };
    },
  },
  {
    name: 'exactly one email per (order, template) at the SMTP catcher',
    run: ({ snapshot }) => {
      const details: string[] = [];
      const emails = new Map(snapshot.emails.map((e) => [e.emailId, e]));
      const ids = new Map<string, Set<string>>();
      for (const m of snapshot.mail) {
        const e = emails.get(emailIdOf(m.messageId) ?? '');
        if (!e) {
          details.push(`a mail the shop never recorded: ${m.messageId} "${m.subject}"`);
          continue;
        }
        const key = `${e.orderId} ${e.template}`;
        ids.set(key, (ids.get(key) ?? new Set()).add(m.messageId));
      }
      for (const [key, set] of ids) if (set.size > 1) details.push(`${key}: ${set.size} different mails (${[...set].join(', ')})`);
      for (const e of snapshot.emails) if (e.status === 'SENT' && !ids.has(`${e.orderId} ${e.template}`)) details.push(`${e.orderId} ${e.template}: SENT, but never arrived`);
      return { scope: `${snapshot.mail.length} raw deliveries`, details };
    },
  },
  {
    name: 'a mail delivered twice (same Message-ID) only after an email instance crashed',
    run: ({ snapshot, exits, startedAt }) => {
      const details: string[] = [];
      const causes: string[] = [];
      const seen = new Map<string, number>();
      for (const m of snapshot.mail) {
        const n = (seen.get(m.messageId) ?? 0) + 1;
        seen.set(m.messageId, n);
        if (n < 2) continue;
        const at = m.receivedAt.getTime() - startedAt;
        // The re-send comes once the claim (EMAIL_CLAIM_MS, 30 s) ran out after the crash: the last
        // email instance to die before it is the one that died inside the window.
        const crash = exits.filter((x) => x.instance.startsWith('email#') && x.atMs <= at && at - x.atMs < 60_000).at(-1);
        if (!crash) details.push(`${m.messageId} delivered ${n} times, no email instance died in the minute before`);
        else causes.push(`${m.messageId} again at +${(at / 1000).toFixed(1)}s after ${crash.instance} died at +${(crash.atMs / 1000).toFixed(1)}s (${crash.signal ?? crash.code})`);
      }
      return { scope: `${[...seen.values()].filter((n) => n > 1).length} duplicated Message-IDs${causes.length ? `: ${causes.join('; ')}` : ''}`, details };
    },
  },
  {
    name: 'idempotency held',
    run: ({ snapshot, ledger }) => {
      const details = [...ledger.keys.values()].flatMap(keyViolations);
      const ordersByKey = new Map<string, Set<string>>();
      for (const s of ledger.keys.values()) for (const a of s.answers) if (a.orderId) ordersByKey.set(s.key, (ordersByKey.get(s.key) ?? new Set()).add(a.orderId));
      for (const [key, set] of ordersByKey) {
        const stored = snapshot.idempotencyKeys.get(key);
        if (stored && !set.has(stored)) details.push(`${key}: the key stands for ${stored}, the client was given ${[...set].join(', ')}`);
      }
      for (const [c, n] of snapshot.refusedCustomersOrders) if (n !== 0) details.push(`${c}: every order of theirs was refused, yet they have ${n}`);
      return { scope: `${ledger.keys.size} keys, ${snapshot.refusedCustomersOrders.size} refused customers`, details };
    },
  },
  {
    name: 'every outbox drained, lag 0 on every group, inbox unique',
    run: ({ snapshot }) => ({
      scope: `${Object.keys(snapshot.unpublished).length} outboxes, ${Object.keys(snapshot.lag).length} group/topic pairs`,
      details: [
        ...Object.entries(snapshot.unpublished).filter(([, n]) => n > 0).map(([s, n]) => `${s}: ${n} unpublished`),
        ...Object.entries(snapshot.lag).filter(([, n]) => n > 0).map(([g, n]) => `${g}: lag ${n}`),
        ...Object.entries(snapshot.inboxDuplicates).filter(([, n]) => n > 0).map(([s, n]) => `${s}: ${n} events twice in the inbox`),
      ],
    }),
  },
  {
    name: 'no valid event dead-lettered',
    run: ({ snapshot }) => ({
      scope: `${snapshot.deadLetters.length} dead letters`,
      details: snapshot.deadLetters.filter((d) => !d.poisonId).map((d) => `${d.topic}: ${d.eventType ?? '?'} ${d.eventId ?? ''} (${d.reason}: ${d.error.slice(0, 120)})`),
    }),
  },
  {
    name: 'live streams resumed on any instance send every entry once, in commit order',
    run: ({ snapshot, streams }) => ({
      scope: `${streams.length} streams followed (${streams.filter((f) => f.ended).length} to their end) over ${streams.reduce((n, f) => n + f.connections, 0)} connections`,
      details: streamViolations(streams, snapshot.timeline),
    }),
  },
  {
    name: 'a frozen relay leader holds up publishing no longer than its lease',
    run: ({ snapshot, faults, startedAt, replicas }) => {
      if (replicas < 2) return { scope: 'one instance of each service: no leader to hand over to', details: [] };
      // Rows written while an instance of their service was paused, away from any broker or database
      // outage (which holds up every publisher alike).
      const outages = faults.filter((f) => f.fault.kind === 'broker-kill' || f.fault.kind === 'postgres-crash').map((f) => [startedAt + f.startedMs, startedAt + (f.endedMs ?? f.startedMs)] as const);
      const details: string[] = [];
      let rows = 0;
      let worst = 0;
      for (const f of faults) {
        if (f.fault.kind !== 'sigstop') continue;
        const [from, to] = [startedAt + f.startedMs, startedAt + (f.endedMs ?? f.startedMs)];
        for (const row of snapshot.outboxAges[f.fault.service]) {
          if (row.createdAt < from || row.createdAt > to) continue;
          if (outages.some(([a, b]) => row.createdAt > a - 1_000 && row.createdAt < b + 20_000)) continue;
          rows += 1;
          const age = (row.publishedAt ?? Date.now()) - row.createdAt;
          worst = Math.max(worst, age);
          if (age > FROZEN_LEADER_BOUND_MS) details.push(`${f.description}: a row of ${f.fault.service}'s outbox waited ${age} ms to be published`);
        }
      }
      return { scope: `${rows} rows written during pauses; the worst waited ${worst} ms (bound ${FROZEN_LEADER_BOUND_MS} ms)`, details: details.slice(0, 20) };
    },
  },
  {
    name: 'no unexpected exits',
    run: ({ exits }) => ({
      scope: `${exits.length} exits`,
      details: exits.filter((x) => !x.expected).map((x) => `${x.instance} exited on its own at +${(x.atMs / 1000).toFixed(1)}s (${x.code ?? x.signal})`),
    }),
  },
];

export const runChecks = (context: CheckContext): CheckResult[] =>
  checks.map((c) => {
    try {
      return result(c.name, c.run(context));
    } catch (error) {
      return result(c.name, { scope: 'the check itself', details: [`threw: ${error instanceof Error ? error.stack : String(error)}`] });
    }
  });
