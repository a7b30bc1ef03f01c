/**
 * Followers of orders' live streams (`GET /orders/:id/updates`), as a browser behind a load
 * balancer would follow them through the faults: each reads a few events, is cut, and resumes with
 * Last-Event-ID on whichever orders instance is next; an instance that dies or stops under it ends
 * the stream (with `event: reconnect` when it stops cleanly) and it resumes elsewhere. After
 * quiesce, `streamViolations` holds each follower to the order's timeline: every entry exactly once,
 * ids 1, 2, 3 … in commit order.
 */
import { seededRandom } from '@webshop/testing';
import type { Shop } from './supervisor';
import type { TimelineRow } from './snapshot';

export interface StreamFollow {
  orderId: string;
  /** The ids received, in the order received. */
  ids: number[];
  eventIds: string[];
  /** The stream ended with `event: end`: the order is final and everything was sent. */
  ended: boolean;
  /** Connections it made (each cut after a few events, or by a fault). */
  connections: number;
  failures: number;
}

export interface StreamFollowers {
  follow(orderId: string): void;
  follows: ReadonlyMap<string, StreamFollow>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function startStreamFollowers(shop: Shop, seed: number): StreamFollowers {
  const random = seededRandom((seed ^ 0x57ea_0001) >>> 0);
  const follows = new Map<string, StreamFollow>();
  const running: Array<Promise<void>> = [];
  const stopping = new AbortController();

  /** One connection: reads up to `count` events, then cuts it. */
  async function connect(f: StreamFollow, count: number): Promise<void> {
    const last = f.ids.at(-1);
    const response = await fetch(`${shop.pick('orders').url}/orders/${f.orderId}/updates`, {
      headers: last ? { 'Last-Event-ID': String(last) } : {},
      signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(30_000)]),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`status ${response.status}`);
    }
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let read = 0;
    try {
      while (read < count && !f.ended) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const fields: Record<string, string> = {};
          for (const line of buffer.slice(0, cut).split('\n')) {
            const colon = line.indexOf(': ');
            if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 2);
          }
          buffer = buffer.slice(cut + 2);
          if (fields['event'] === 'end') f.ended = true;
          else if (fields['event'] && fields['event'] !== 'reconnect' && fields['id']) {
            f.ids.push(Number(fields['id']));
            f.eventIds.push((JSON.parse(fields['data'] ?? '{}') as { eventId?: string }).eventId ?? '?');
            read += 1;
          }
        }
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  }

  async function run(f: StreamFollow): Promise<void> {
    while (!stopping.signal.aborted && !f.ended) {
      f.connections += 1;
      try {
        await connect(f, 1 + random.int(4));
      } catch {
        if (stopping.signal.aborted) return;
        f.failures += 1;
        await sleep(300);
      }
    }
  }

  return {
    follow(orderId) {
      if (follows.has(orderId)) return;
      const f: StreamFollow = { orderId, ids: [], eventIds: [], ended: false, connections: 0, failures: 0 };
      follows.set(orderId, f);
      running.push(run(f));
    },
    follows,
    async stop() {
      stopping.abort();
      await Promise.all(running);
    },
  };
}

/** The events that make an order final: its stream ends once one of them was sent (the compensations and emails after it are in the timeline only). */
const finalEvents = new Set(['OrderRejected', 'OrderCancelled', 'ShipmentDelivered']);

/**
 * What a follower got that the timeline (read in position order) contradicts, one line each: the
 * ids must be 1, 2, 3 … with nothing missing or twice, the entries the timeline's first ones in
 * its order, and a stream that ended must have sent the event that made the order final.
 */
export function streamViolations(follows: Iterable<StreamFollow>, timeline: readonly TimelineRow[]): string[] {
  const byOrder = new Map<string, TimelineRow[]>();
  for (const row of timeline) byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), row]);
  const problems: string[] = [];
  for (const f of follows) {
    const entries = byOrder.get(f.orderId) ?? [];
    const ids = f.ids.map((id, i) => (id === i + 1 ? '' : `${i + 1}→${id}`)).filter(Boolean);
    if (ids.length > 0) problems.push(`${f.orderId}: ids not 1, 2, 3 … (${ids.slice(0, 5).join(', ')}) over ${f.connections} connections`);
    else if (f.eventIds.some((id, i) => id !== entries[i]?.eventId)) problems.push(`${f.orderId}: the entries streamed are not the timeline's first ones, in its order`);
    else if (f.ended && !entries.slice(0, f.eventIds.length).some((e) => finalEvents.has(e.type))) {
      problems.push(`${f.orderId}: the stream ended after ${f.eventIds.length} of ${entries.length} entries, before the event that made the order final`);
    }
  }
  return problems;
}
