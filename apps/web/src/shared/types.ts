/** What the web server hands the browser, shared by both sides (plain data, no imports). */

export const laneNames = ['orders', 'payment', 'stock', 'shipping', 'email'] as const;
export type LaneName = (typeof laneNames)[number];

/** Where and when an event was written, as both the pulse and orders' timeline tell it. */
interface RecordedEvent {
  eventId: string;
  type: string;
  /** The topic's name (without TOPIC_PREFIX in the pulse). */
  topic: string;
  partition: number;
  offset: string;
  occurredAt: string;
  producer: string;
}

/** One event as the pulse read it from a topic. `seq` is its position in the pulse's read model. */
export interface PulseEvent extends RecordedEvent {
  seq: number;
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
export interface TimelineEntry extends RecordedEvent {
  data: Record<string, unknown>;
}
