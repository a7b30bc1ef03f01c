/**
 * The relay's floor: an id at or below which the outbox will never again hold a row to publish,
 * so the relay's scan can start above it (`WHERE id > floor`) and never step over the entries
 * that published, deleted rows leave behind in the primary key until a vacuum (with autovacuum off
 * or behind, a scan from the start of the index would walk them all on every wake-up).
 *
 * Ids are not committed in id order: a transaction can take id 10, stay open, and commit after
 * id 11 was published. The floor moves only past ids no open transaction can hold:
 *   1. a scan reads the sequence's last id S (after the scan's snapshot was taken);
 *   2. the next scan's snapshot, taken after S was read, gives X = its xmax: every transaction that
 *      had taken an id ≤ S had its transaction id (xid) before then, so its xid is below X
 *      (appendToOutbox makes sure a writer has its xid before it takes an id);
 *   3. a later scan whose snapshot's xmin ≥ X sees every such transaction finished: every row with
 *      id ≤ S is in that scan's view or was rolled back. Once that scan's rows are published and
 *      deleted, the floor moves to S (or to the scan's last id, when the batch was full).
 * A transaction open for long (in any database of the server: xmin is the whole server's) only
 * holds the floor where it is; nothing is skipped. The floor lives in the relay's memory: a relay
 * that starts begins at 0 and catches up within three scans.
 *
 * Wire format of a scan's snapshot (outbox-relay.ts): `last_id` (the sequence, is_called taken
 * into account), `xmin` and `xmax` of pg_current_snapshot(), as decimal text.
 */

export interface ScanSnapshot {
  lastId: bigint;
  xmin: bigint;
  xmax: bigint;
}

export interface OutboxFloor {
  readonly value: bigint;
  /** After a scan at `snapshot` whose rows (if any, `lastRowId` the highest) were all published and deleted. */
  advance(snapshot: ScanSnapshot, scanned: { full: boolean; lastRowId?: bigint }): void;
}

export function createOutboxFloor(): OutboxFloor {
  let floor = 0n;
  let candidate: { lastId: bigint; xmax?: bigint } | undefined;
  return {
    get value() {
      return floor;
    },
    advance(snapshot, { full, lastRowId }) {
      if (candidate?.xmax !== undefined && snapshot.xmin >= candidate.xmax) {
        const reach = full && lastRowId !== undefined && lastRowId < candidate.lastId ? lastRowId : candidate.lastId;
        if (reach > floor) floor = reach;
        candidate = undefined;
      }
      if (!candidate) candidate = { lastId: snapshot.lastId };
      else if (candidate.xmax === undefined) candidate.xmax = snapshot.xmax;
    },
  };
}
