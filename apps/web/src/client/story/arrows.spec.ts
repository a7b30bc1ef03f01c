import type { TimelineEntry } from '../../shared/types';
import { arrowPath, boxOf, causationArrows, type Geometry } from './arrows';
import { layoutBoard } from './lanes';

const g: Geometry = { laneWidth: 200, rowHeight: 120, cardWidth: 180, cardHeight: 100, top: 0 };
const entry = (eventId: string, producer: string): TimelineEntry => ({ eventId, type: eventId, producer, topic: 't', partition: 0, offset: '0', occurredAt: '2026-01-01T00:00:00.000Z', data: {} });

describe('the causation arrows', () => {
  it('draws one arrow from each event to the event that caused it', () => {
    const board = layoutBoard(
      [entry('a', 'orders'), entry('b', 'payment'), entry('c', 'stock'), entry('d', 'orders')],
      new Map([
        ['a', null],
        ['b', 'a'],
        ['c', 'a'],
        ['d', 'c'],
      ]),
    );
    expect(causationArrows(board, g).map((a) => `${a.from}->${a.to}`)).toEqual(['a->b', 'a->c', 'c->d']);
  });

  it('draws none for an event without a cause, or whose cause is not on the board (another order, a product update)', () => {
    const board = layoutBoard([entry('a', 'orders'), entry('b', 'payment')], new Map([['b', 'elsewhere']]));
    expect(causationArrows(board, g)).toEqual([]);
  });

  it('runs from the bottom centre of the cause to the top centre of the effect', () => {
    const cause = boxOf({ laneIndex: 0, row: 0 }, g);
    const sameLane = boxOf({ laneIndex: 0, row: 1 }, g);
    const nextLane = boxOf({ laneIndex: 1, row: 1 }, g);
    expect(cause).toEqual({ x: 10, y: 0, width: 180, height: 100 });
    expect(arrowPath(cause, sameLane)).toBe('M 100 100 L 100 120');
    expect(arrowPath(cause, nextLane)).toBe('M 100 100 C 100 110, 300 110, 300 120');
  });

  it('joins the sides of two cards on one row (a cause that is not above its effect)', () => {
    const left = boxOf({ laneIndex: 0, row: 2 }, g);
    const right = boxOf({ laneIndex: 2, row: 2 }, g);
    expect(arrowPath(left, right)).toMatch(/^M 190 290 C .* 410 290$/);
    expect(arrowPath(right, left)).toMatch(/^M 410 290 C .* 190 290$/);
  });
});
