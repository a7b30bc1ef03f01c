/** What the web server hands the browser, shared by both sides (plain data, no imports). */

export const laneNames = ['orders', 'payment', 'stock', 'shipping', 'email'] as const;
export type LaneName = (typeof laneNames)[number];

/** One event as the pulse read it from a topic. `seq` is its position in the pulse's read model. */
export interface PulseEvent {
  seq: number;
  eventId: string;
  type: string;
  /** The topic's name without TOPIC_PREFIX. */
  topic: string;
  partition: number;
  offset: string;
  occurredAt: string;
  producer: string;
  /** The record key: the orderId, or the sku on `products`. */
  key: string;
  causationId: string | null;
  data: unknown;
}

/** One service as the pulse last saw it through its /readyz and /metrics. */
export interface ServiceHealth {
  service: LaneName;
  /** ready: /readyz 200; not_ready: /readyz 503 (reasons in `problems`); down: nothing answered. */
  state: 'ready' | 'not_ready' | 'down';
  problems: string[];
  consumerLag: number | null;
  outboxBacklog: number | null;
  deadLetters: number | null;
  /** When the pulse last read an event this service wrote, and that event's occurred-at. */
  lastEventAt: string | null;
  checkedAt: string;
}

/** An order's timeline entry, as orders' GET /orders/:id/timeline and /updates give it. */
export interface TimelineEntry {
  eventId: string;
  type: string;
  topic: string;
  partition: number;
  offset: string;
  occurredAt: string;
  producer: string;
  data: Record<string, unknown>;
}
