/**
 * The ledger: every request the workload sent and every answer it got (status 0 when none came:
 * refused, reset or timed out), grouped into the story of each order, each Idempotency-Key, and
 * the money and stock the workload put in. Pure: the rules that say whether what the shop shows at
 * the end agrees with every answer the client got live here, with their unit tests beside them.
 */

export const workloadKinds = [
  'normal',
  'poor',
  'unknown-account',
  'out-of-stock',
  'unknown-sku',
  'retry-sequential',
  'retry-concurrent',
  'clash',
  'cancel-pending',
  'cancel-confirmed',
  'cancel-race',
  'dispatch-deliver',
  'deposit',
  'restock',
] as const;
export type WorkloadKind = (typeof workloadKinds)[number];

export interface Exchange {
  op: number;
  kind: WorkloadKind;
  /** ms since the start of the workload, when the request went out. */
  atMs: number;
  latencyMs: number;
  method: string;
  path: string;
  /** Which instance answered, e.g. `orders#1`. */
  instance: string;
  /** 0: no answer (connection refused or reset, or timed out). */
  status: number;
  body: unknown;
}

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'SHIPPED' | 'DELIVERED' | 'REJECTED' | 'CANCELLED';
export const finalStatuses: readonly OrderStatus[] = ['DELIVERED', 'REJECTED', 'CANCELLED'];

export interface OrderView {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  totalCents: number;
  rejectionReason?: string;
}

/** What the client did to one order and what it was told. */
export interface OrderStory {
  orderId: string;
  kind: WorkloadKind;
  customerId: string;
  /** totalCents of the 202s (all must agree). */
  totals: number[];
  /** Statuses the client was shown, in the order the answers came. */
  seen: OrderStatus[];
  cancels: Array<{ status: number; viewStatus?: string; error?: string }>;
  dispatches: Array<{ status: number; error?: string }>;
  delivers: Array<{ status: number; error?: string }>;
}

/** A definite answer: the shop decided. 0 and 5xx leave the client not knowing. */
export const definite = (status: number) => status >= 200 && status < 500;

const rank: Record<OrderStatus, number> = { PENDING: 0, CONFIRMED: 1, SHIPPED: 2, DELIVERED: 3, REJECTED: 1, CANCELLED: 2 };

/** Whether an order shown `from` can later be `to` (the status machine of docs/architecture.md, "The order flow"). */
export function canBecome(from: OrderStatus, to: OrderStatus): boolean {
  if (from === to) return true;
  switch (from) {
    case 'PENDING':
      return true;
    case 'CONFIRMED':
      return to === 'SHIPPED' || to === 'DELIVERED' || to === 'CANCELLED';
    case 'SHIPPED':
      return to === 'DELIVERED';
    case 'DELIVERED':
    case 'REJECTED':
    case 'CANCELLED':
      return false;
    default: {
      const never: never = from;
      return rank[never] === undefined;
    }
  }
}

/** What final status each kind of order should reach (before cancels and dispatches are counted). */
function expectedFinal(kind: WorkloadKind): { status: OrderStatus; reason?: string } | undefined {
  switch (kind) {
    case 'poor':
    case 'unknown-account':
      return { status: 'REJECTED', reason: 'PAYMENT_DECLINED' };
    case 'out-of-stock':
      return { status: 'REJECTED', reason: 'OUT_OF_STOCK' };
    case 'normal':
    case 'retry-sequential':
    case 'retry-concurrent':
    case 'dispatch-deliver':
      return { status: 'DELIVERED' };
    default:
      return undefined; // cancels: decided by the answers below
  }
}

/** Every way the final view disagrees with what the client was told; empty when it agrees. */
export function storyViolations(story: OrderStory, final: OrderView | undefined): string[] {
  if (!final) return ['lost: accepted (202) but the shop does not know the order'];
  const v: string[] = [];
  if (!finalStatuses.includes(final.status)) v.push(`stuck: still ${final.status}`);
  for (const total of new Set(story.totals)) if (total !== final.totalCents) v.push(`totalCents: answered ${total}, the order says ${final.totalCents}`);
  if (final.customerId !== story.customerId) v.push(`customerId: placed for ${story.customerId}, the order says ${final.customerId}`);
  for (const seen of new Set(story.seen)) if (!canBecome(seen, final.status)) v.push(`shown ${seen}, but it ended ${final.status}`);

  const expected = expectedFinal(story.kind);
  const cancelled = story.cancels.some((c) => c.status === 202 && c.viewStatus === 'CANCELLED');
  const cancelRefused = story.cancels.some((c) => c.status === 409);
  const dispatched = story.dispatches.some((d) => d.status === 202);
  const delivered = story.delivers.some((d) => d.status === 202);
  if (expected && story.cancels.length === 0) {
    if (final.status !== expected.status && finalStatuses.includes(final.status)) v.push(`ended ${final.status}${final.rejectionReason ? ` (${final.rejectionReason})` : ''}; a ${story.kind} order ends ${expected.status}`);
    if (expected.reason && final.status === expected.status && final.rejectionReason !== expected.reason) v.push(`rejected for ${final.rejectionReason}; expected ${expected.reason}`);
  }
  if (cancelled && final.status !== 'CANCELLED') v.push(`the cancel answered CANCELLED, but it ended ${final.status}`);
  if (cancelRefused && final.status === 'CANCELLED') v.push('the cancel was refused (409), but it ended CANCELLED');
  if (story.cancels.length > 0 && !cancelled && finalStatuses.includes(final.status) && !['CANCELLED', 'DELIVERED'].includes(final.status) && !cancelRefused)
    v.push(`a cancel was asked for, and it ended ${final.status}`);
  if (cancelled && dispatched) v.push('both the dispatch (202) and the cancel (CANCELLED) won');
  if (dispatched && final.status !== 'SHIPPED' && final.status !== 'DELIVERED') v.push(`dispatched (202), but it ended ${final.status}`);
  if (delivered && final.status !== 'DELIVERED') v.push(`delivered (202), but it ended ${final.status}`);
  return v;
}

/** One Idempotency-Key: the answers to every request that carried it. */
export interface KeyStory {
  key: string;
  /** `same`: every request the same body; `clash`: the second request a different body. */
  mode: 'same' | 'clash';
  answers: Array<{ body: 'first' | 'second'; status: number; orderId?: string; error?: string }>;
}

export function keyViolations(story: KeyStory): string[] {
  const v: string[] = [];
  const firstIds = new Set(story.answers.filter((a) => a.body === 'first' && a.status === 202).map((a) => a.orderId));
  if (firstIds.size > 1) v.push(`${story.key}: the same request made ${firstIds.size} orders (${[...firstIds].join(', ')})`);
  // A clash only once the key surely holds the first body (a 202 for it): had the first request
  // never landed, the second is the key's first use and rightly accepted.
  const firstLanded = firstIds.size > 0;
  for (const a of story.answers.filter((x) => x.body === 'second')) {
    if (a.status === 202 && !firstLanded) continue;
    if (a.status === 202) v.push(`${story.key}: a different body under the same key was accepted (order ${a.orderId})`);
    else if (definite(a.status) && (a.status !== 409 || a.error !== 'idempotency_key_reused')) v.push(`${story.key}: a different body under the same key answered ${a.status} ${a.error ?? ''}`);
  }
  return v;
}

/** Money or stock the workload put in: what the shop confirmed, and what it may or may not have taken. */
export interface Amounts {
  confirmed: number;
  uncertain: number;
}

/** Whether `actual` can be what the client put in: every confirmed amount, and any part of the uncertain. */
export const withinAmounts = (actual: number, amounts: Amounts) => actual >= amounts.confirmed && actual <= amounts.confirmed + amounts.uncertain;

export interface Ledger {
  exchanges: Exchange[];
  orders: Map<string, OrderStory>;
  keys: Map<string, KeyStory>;
  /** Customers whose every order request clashed: they must have no order at all. */
  clashCustomers: Set<string>;
  deposits: Map<string, Amounts>;
  restocks: Map<string, Amounts>;
  /** Requests that must have changed nothing (unknown sku): their customers must have no order. */
  refusedCustomers: Set<string>;
}

export function createLedger(): Ledger {
  return { exchanges: [], orders: new Map(), keys: new Map(), clashCustomers: new Set(), deposits: new Map(), restocks: new Map(), refusedCustomers: new Set() };
}

export function story(ledger: Ledger, orderId: string, kind: WorkloadKind, customerId: string): OrderStory {
  let s = ledger.orders.get(orderId);
  if (!s) {
    s = { orderId, kind, customerId, totals: [], seen: [], cancels: [], dispatches: [], delivers: [] };
    ledger.orders.set(orderId, s);
  }
  return s;
}

export function addAmount(map: Map<string, Amounts>, name: string, amount: number, status: number): void {
  const a = map.get(name) ?? { confirmed: 0, uncertain: 0 };
  if (status === 200 || status === 201) a.confirmed += amount;
  else if (!definite(status)) a.uncertain += amount;
  map.set(name, a);
}
