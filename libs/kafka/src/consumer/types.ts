/** What the consumer runner's parts share: the handlers it runs and the outcomes it reports. */
import type { EventType } from '@webshop/events';
import type { PoolClient } from '@webshop/postgres';
import type { IncomingEvent } from '../envelope';
import type { EventLogFields } from '../log-fields';

export type EventHandler<T extends EventType> = (event: IncomingEvent<T>, tx: PoolClient) => Promise<void>;
export type EventHandlers = { [T in EventType]?: EventHandler<T> };

export type Outcome = 'applied' | 'duplicate' | 'ignored' | 'dead-lettered';
export interface OutcomeInfo {
  topic: string;
  partition: number;
  offset: string;
  type: string | null;
  reason?: string;
  /**
   * This record's share of the time it took to apply (fractional milliseconds): a run applied in one
   * transaction divides its duration among its records; a record applied alone takes all of its own,
   * retries included.
   */
  ms: number;
  /** When the event happened (its occurred-at), for a record that decoded; null for one that did not. */
  occurredAt: string | null;
  /** What its headers say it is (log-fields.ts): for the line that reports it. */
  event: EventLogFields;
}
export type ReportOutcome = (outcome: Outcome, info: OutcomeInfo) => void;

/** Where a record came from: its topic (with the prefix) and partition. */
export interface Source {
  topic: string;
  partition: number;
}

/** A batch applied in full: the partition's position is past `offset` (a record or a transaction marker). */
export type ReportProgress = (position: Source & { offset: string }) => void;
