import { createTally } from './tally';

describe('the tally of a run', () => {
  it('puts every order in exactly one bucket and keeps in-flight honest', () => {
    const t = createTally();
    for (const ms of [0, 100, 900, 1000, 1500, 2500]) t.sent(ms);
    t.notSent('not sent: 5000 orders already in flight');
    expect(t.counts.inFlight).toBe(6);

    t.final(0, 12, 'CONFIRMED', 12);
    t.final(100, 30, 'CONFIRMED', 130);
    t.final(900, 50, 'REJECTED', 950);
    t.final(1000, 20, 'CONFIRMED', 1020);
    t.failed('POST /orders → 503 unavailable');
    t.unfinished();

    expect(t.counts).toEqual({ scheduled: 7, sent: 6, confirmed: 3, rejected: 1, cancelled: 0, errors: 2, notFinal: 1, inFlight: 0 });
    expect(t.errorsByKind()).toEqual({ 'not sent: 5000 orders already in flight': 1, 'POST /orders → 503 unavailable': 1 });
    expect(t.lastFinalMs()).toBe(1020);
  });

  it('measures latency over confirmed orders only, and per second of the schedule', () => {
    const t = createTally();
    [0, 200, 400, 1100, 2100].forEach((ms) => t.sent(ms));
    t.final(0, 10, 'CONFIRMED', 10);
    t.final(200, 20, 'CONFIRMED', 220);
    t.final(400, 999, 'REJECTED', 1399);
    t.final(1100, 40, 'CONFIRMED', 1140);
    t.unfinished();

    expect(t.latency()).toMatchObject({ count: 3, min: 10, p50: expect.closeTo(20, 0), max: 40 });
    expect(t.series(3)).toEqual([
      { second: 0, sent: 3, confirmed: 2, p50: 10, p99: 20, max: 20 },
      { second: 1, sent: 1, confirmed: 1, p50: 40, p99: 40, max: 40 },
      { second: 2, sent: 1, confirmed: 0, p50: null, p99: null, max: null },
    ]);
  });

  it('reports the recent percentiles once, then starts a new window', () => {
    const t = createTally();
    t.sent(0);
    t.sent(1);
    t.final(0, 5, 'CONFIRMED', 5);
    t.final(1, 7, 'CONFIRMED', 8);
    expect(t.takeRecent()).toEqual({ count: 2, p50: 5, p99: 7 });
    expect(t.takeRecent()).toEqual({ count: 0, p50: 0, p99: 0 });
  });
});
