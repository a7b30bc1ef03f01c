/**
 * An order's story as swim lanes: one lane per service, each event a card in the lane of its
 * producer, placed so that it sits below what caused it and below the cards before it in its lane.
 *
 * The rule, per entry in timeline order (commit order):
 *   - with a cause on the board: row = max(row of the cause + 1, the lane's next free row);
 *   - without one (a person's request: placing, cancelling, dispatching; or a cause not known yet):
 *     row = max(the lane's next free row, the row below every card so far), so it reads as later
 *     than everything before it.
 * Events that happen side by side (payment and stock both answering the same PurchaseRequested)
 * share a row. Pure: the component draws what this returns.
 */
import { laneNames, type LaneName, type TimelineEntry } from '../../shared/types';

export interface Card {
  entry: TimelineEntry;
  /** The entry's position in the timeline: 1, 2, 3 … */
  position: number;
  lane: LaneName;
  laneIndex: number;
  row: number;
  causationId: string | null;
}

export interface Board {
  cards: Card[];
  rows: number;
  lanes: readonly LaneName[];
}

const laneOf = (producer: string): LaneName => ((laneNames as readonly string[]).includes(producer) ? (producer as LaneName) : 'orders');

/** `causes`: event-id → the event-id of its cause (from the `causation-id` header), when known. */
export function layoutBoard(entries: readonly TimelineEntry[], causes: ReadonlyMap<string, string | null>): Board {
  const nextFree = new Map<LaneName, number>();
  const rowOf = new Map<string, number>();
  let below = 0;
  const cards = entries.map((entry, i): Card => {
    const lane = laneOf(entry.producer);
    const causationId = causes.get(entry.eventId) ?? null;
    const causeRow = causationId === null ? undefined : rowOf.get(causationId);
    const free = nextFree.get(lane) ?? 0;
    const row = causeRow === undefined ? Math.max(free, below) : Math.max(free, causeRow + 1);
    rowOf.set(entry.eventId, row);
    nextFree.set(lane, row + 1);
    below = Math.max(below, row + 1);
    return { entry, position: i + 1, lane, laneIndex: laneNames.indexOf(lane), row, causationId };
  });
  return { cards, rows: below, lanes: laneNames };
}
