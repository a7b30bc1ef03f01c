import type { TimelineEntry } from '../../shared/types';
import { layoutBoard } from './lanes';

let offset = 0;
const entry = (eventId: string, type: string, producer: string): TimelineEntry => ({
  eventId,
  type,
  producer,
  topic: producer === 'payment' ? 'payments' : producer === 'shipping' ? 'shipments' : producer === 'email' ? 'emails' : producer,
  partition: 0,
  offset: String(offset++),
  occurredAt: '2026-01-01T00:00:00.000Z',
  data: { orderId: 'o1' },
});

// A confirmed order's story as orders' timeline gives it, in commit order.
const requested = entry('e1', 'PurchaseRequested', 'orders');
const paid = entry('e2', 'PaymentProcessed', 'payment');
const reserved = entry('e3', 'StockReserved', 'stock');
const confirmed = entry('e4', 'OrderConfirmed', 'orders');
const scheduled = entry('e5', 'ShipmentScheduled', 'shipping');
const mailed = entry('e6', 'EmailSent', 'email');
const causes = new Map<string, string | null>([
  ['e1', null],
  ['e2', 'e1'],
  ['e3', 'e1'],
  ['e4', 'e3'],
  ['e5', 'e4'],
  ['e6', 'e4'],
]);

describe('the swim-lane layout of a timeline', () => {
  it("puts each event in the lane of the service that wrote it, numbered in the timeline's order", () => {
    const board = layoutBoard([requested, paid, reserved, confirmed, scheduled, mailed], causes);
    expect(board.cards.map((c) => [c.position, c.entry.type, c.lane])).toEqual([
      [1, 'PurchaseRequested', 'orders'],
      [2, 'PaymentProcessed', 'payment'],
      [3, 'StockReserved', 'stock'],
      [4, 'OrderConfirmed', 'orders'],
      [5, 'ShipmentScheduled', 'shipping'],
      [6, 'EmailSent', 'email'],
    ]);
    expect(board.cards.map((c) => c.laneIndex)).toEqual([0, 1, 2, 0, 3, 4]);
  });

  it('puts an effect below its cause, and effects of one cause side by side', () => {
    const board = layoutBoard([requested, paid, reserved, confirmed, scheduled, mailed], causes);
    const row = Object.fromEntries(board.cards.map((c) => [c.entry.type, c.row]));
    expect(row).toEqual({ PurchaseRequested: 0, PaymentProcessed: 1, StockReserved: 1, OrderConfirmed: 2, ShipmentScheduled: 3, EmailSent: 3 });
    expect(board.rows).toBe(4);
  });

  it('keeps the cards of one lane in timeline order, never two on one row', () => {
    // OrderConfirmed's cause is on row 1, but the lane's row 1 is free and row 0 is taken: still below.
    const refunded = entry('e7', 'PaymentRefunded', 'payment');
    const board = layoutBoard([requested, paid, reserved, confirmed, refunded], new Map([...causes, ['e7', 'e1']]));
    const payment = board.cards.filter((c) => c.lane === 'payment').map((c) => c.row);
    expect(payment).toEqual([1, 2]);
  });

  it('starts a request nobody caused (a cancel) below everything before it', () => {
    const cancel = entry('e8', 'OrderCancellationRequested', 'orders');
    const board = layoutBoard([requested, paid, reserved, confirmed, scheduled, mailed, cancel], new Map([...causes, ['e8', null]]));
    expect(board.cards.at(-1)!.row).toBe(4);
  });

  it('places an event whose cause is not known yet like a new request, and below its cause once known', () => {
    const unknown = layoutBoard([requested, paid], new Map([['e1', null]]));
    expect(unknown.cards.map((c) => c.causationId)).toEqual([null, null]);
    expect(unknown.cards[1]!.row).toBe(1);
    const known = layoutBoard([requested, paid], causes);
    expect(known.cards[1]!.causationId).toBe('e1');
  });

  it('puts an unknown producer in the orders lane rather than losing the event', () => {
    const board = layoutBoard([entry('x', 'Mystery', 'nobody')], new Map());
    expect(board.cards[0]!.lane).toBe('orders');
  });

  it('lays out an empty timeline as an empty board', () => {
    expect(layoutBoard([], new Map())).toMatchObject({ cards: [], rows: 0 });
  });
});
