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
  ms: number;
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
