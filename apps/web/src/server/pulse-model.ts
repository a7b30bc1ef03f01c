/**
 * The pulse's read model: the newest events of every topic, in the order the pulse read them, kept
 * in memory up to `capacity` (the oldest go first). Each gets a sequence number, so a live stream
 * resumes after the last one it sent (`Last-Event-ID`). Listeners hear each event as it is added.
 */
import type { PulseEvent } from '../shared/types';

export interface PulseModel {
  add(event: Omit<PulseEvent, 'seq'>): PulseEvent;
  /** Events after `seq` (all kept ones when 0), oldest first, at most `limit` of the newest. */
  since(seq: number, limit?: number): PulseEvent[];
  /** Every kept event about one order (or sku), oldest first. */
  about(key: string): PulseEvent[];
  /** The newest event a service wrote. */
  lastBy(producer: string): PulseEvent | undefined;
  listen(listener: (event: PulseEvent) => void): () => void;
  readonly size: number;
}

export function createPulseModel(capacity: number): PulseModel {
  const events: PulseEvent[] = [];
  const newestBy = new Map<string, PulseEvent>();
  const listeners = new Set<(event: PulseEvent) => void>();
  let next = 1;
  return {
    add(event) {
      const kept = { ...event, seq: next++ };
      events.push(kept);
      if (events.length > capacity) events.splice(0, events.length - capacity);
      newestBy.set(kept.producer, kept);
      for (const listener of listeners) listener(kept);
      return kept;
    },
    since(seq, limit = capacity) {
      const after = events.filter((e) => e.seq > seq);
      return after.slice(Math.max(0, after.length - limit));
    },
    about: (key) => events.filter((e) => e.key === key),
    lastBy: (producer) => newestBy.get(producer),
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get size() {
      return events.length;
    },
  };
}
