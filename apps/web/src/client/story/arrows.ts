/**
 * The arrows of an order's story: one from each event to the event that caused it (`causation-id`),
 * when both are on the board, drawn as SVG paths from the cause's card to the effect's card.
 */
import type { Board, Card } from './lanes';

export interface Geometry {
  laneWidth: number;
  rowHeight: number;
  cardWidth: number;
  cardHeight: number;
  /** Space above the first row (the lane headings). */
  top: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Arrow {
  from: string;
  to: string;
  path: string;
}

export function boxOf(card: Pick<Card, 'laneIndex' | 'row'>, g: Geometry): Box {
  return { x: card.laneIndex * g.laneWidth + (g.laneWidth - g.cardWidth) / 2, y: g.top + card.row * g.rowHeight, width: g.cardWidth, height: g.cardHeight };
}

/**
 * From the cause's box to the effect's: bottom centre to top centre when the effect is lower (a
 * straight line in one lane, an S-curve across lanes); otherwise side to side, bowed outwards.
 */
export function arrowPath(from: Box, to: Box): string {
  const round = (n: number) => Math.round(n * 10) / 10;
  if (to.y >= from.y + from.height) {
    const x1 = from.x + from.width / 2;
    const y1 = from.y + from.height;
    const x2 = to.x + to.width / 2;
    const y2 = to.y;
    if (x1 === x2) return `M ${round(x1)} ${round(y1)} L ${round(x2)} ${round(y2)}`;
    const mid = (y1 + y2) / 2;
    return `M ${round(x1)} ${round(y1)} C ${round(x1)} ${round(mid)}, ${round(x2)} ${round(mid)}, ${round(x2)} ${round(y2)}`;
  }
  const rightwards = to.x >= from.x;
  const x1 = rightwards ? from.x + from.width : from.x;
  const x2 = rightwards ? to.x : to.x + to.width;
  const y1 = from.y + from.height / 2;
  const y2 = to.y + to.height / 2;
  const bow = (rightwards ? 1 : -1) * Math.max(20, Math.abs(x2 - x1) / 3);
  return `M ${round(x1)} ${round(y1)} C ${round(x1 + bow)} ${round(y1)}, ${round(x2 - bow)} ${round(y2)}, ${round(x2)} ${round(y2)}`;
}

export function causationArrows(board: Board, g: Geometry): Arrow[] {
  const byId = new Map(board.cards.map((c) => [c.entry.eventId, c]));
  return board.cards.flatMap((card) => {
    const cause = card.causationId === null ? undefined : byId.get(card.causationId);
    if (!cause || cause === card) return [];
    return [{ from: cause.entry.eventId, to: card.entry.eventId, path: arrowPath(boxOf(cause, g), boxOf(card, g)) }];
  });
}
