import { createOutboxFloor } from './outbox-floor';

const snap = (lastId: number, xmin: number, xmax: number) => ({ lastId: BigInt(lastId), xmin: BigInt(xmin), xmax: BigInt(xmax) });

describe("the outbox relay's floor", () => {
  it('moves to the last id once every transaction that could hold an id up to it has finished', () => {
    const floor = createOutboxFloor();
    floor.advance(snap(40, 100, 105), { full: false }); // candidate: ids ≤ 40
    floor.advance(snap(42, 103, 108), { full: false }); // transactions below 108 may still hold one
    expect(floor.value).toBe(0n);
    floor.advance(snap(45, 107, 110), { full: false }); // xid 107 still runs
    expect(floor.value).toBe(0n);
    floor.advance(snap(45, 108, 110), { full: false });
    expect(floor.value).toBe(40n);
  });

  it('stays where it is while a transaction of before the candidate stays open', () => {
    const floor = createOutboxFloor();
    floor.advance(snap(40, 100, 105), { full: false });
    for (let i = 0; i < 10; i++) floor.advance(snap(50 + i, 100, 120 + i), { full: false });
    expect(floor.value).toBe(0n);
  });

  it('moves no further than the last row of a full batch, whose successors were not read yet', () => {
    const floor = createOutboxFloor();
    floor.advance(snap(900, 1, 2), { full: true, lastRowId: 100n });
    floor.advance(snap(900, 1, 3), { full: true, lastRowId: 200n });
    floor.advance(snap(900, 3, 4), { full: true, lastRowId: 300n });
    expect(floor.value).toBe(300n);
  });

  it('never moves back', () => {
    const floor = createOutboxFloor();
    for (const s of [snap(40, 1, 2), snap(40, 1, 3), snap(40, 3, 4)]) floor.advance(s, { full: false });
    expect(floor.value).toBe(40n);
    for (const s of [snap(10, 4, 5), snap(10, 5, 6)]) floor.advance(s, { full: true, lastRowId: 5n });
    expect(floor.value).toBe(40n);
  });
});
