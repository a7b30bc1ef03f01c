import { judgeRun, searchRate, type SecondSeries } from './search';

/** A shop that keeps up with anything up to `capacity` orders/s. */
const shopOf = (capacity: number) => {
  const tried: number[] = [];
  const trial = async (rate: number) => {
    tried.push(rate);
    return { rate, sustainable: rate <= capacity, why: '' };
  };
  return { tried, trial };
};

describe('the rate search', () => {
  it('doubles until a rate fails, then bisects to within the precision', async () => {
    const shop = shopOf(37);
    const { best, trials } = await searchRate({ startRate: 5, maxRate: 1000, precision: 0.1, maxTrials: 20, trial: shop.trial });
    expect(shop.tried.slice(0, 4)).toEqual([5, 10, 20, 40]);
    expect(best).toBeLessThanOrEqual(37);
    expect(best).toBeGreaterThan(37 / 1.1);
    expect(trials.every((t) => t.sustainable === t.rate <= 37)).toBe(true);
  });

  it('stops at the trial budget with the best rate seen so far', async () => {
    const shop = shopOf(37);
    const { best, trials } = await searchRate({ startRate: 5, maxRate: 1000, precision: 0.01, maxTrials: 5, trial: shop.trial });
    expect(trials).toHaveLength(5);
    expect(best).toBe(30);
  });

  it('stops at the ceiling when everything passes', async () => {
    const shop = shopOf(Infinity);
    expect((await searchRate({ startRate: 5, maxRate: 30, precision: 0.1, maxTrials: 20, trial: shop.trial })).best).toBe(30);
    expect(shop.tried).toEqual([5, 10, 20, 30]);
  });

  it('searches below the start when the start fails', async () => {
    const shop = shopOf(2);
    const { best } = await searchRate({ startRate: 8, maxRate: 100, precision: 0.25, maxTrials: 10, trial: shop.trial });
    expect(best).toBeGreaterThan(1);
    expect(best).toBeLessThanOrEqual(2);
  });
});

describe('a run is sustainable', () => {
  const flat = (p50: (second: number) => number): SecondSeries[] => Array.from({ length: 30 }, (_, second) => ({ second, sent: 10, confirmed: 10, p50: p50(second) }));

  it('when every order is final, nothing failed and latency stays flat', () => {
    expect(judgeRun(10, { allFinal: true, httpErrors: 0, series: flat((s) => 80 + (s % 3) * 10) }, 30)).toMatchObject({ sustainable: true });
  });

  it('not when latency grows from the first third to the last', () => {
    const verdict = judgeRun(17, { allFinal: true, httpErrors: 0, series: flat((s) => 2600 + s * 300) }, 30);
    expect(verdict).toMatchObject({ sustainable: false });
    expect(verdict.why).toMatch(/latency grew/);
  });

  it("not when latency is flat but far above the lowest rate's (saturated from the start)", () => {
    const verdict = judgeRun(32, { allFinal: true, httpErrors: 0, series: flat(() => 9000) }, 30, { referenceMs: 3500 });
    expect(verdict).toMatchObject({ sustainable: false });
    expect(verdict.why).toMatch(/above the lowest rate's 3500 ms/);
    expect(judgeRun(8, { allFinal: true, httpErrors: 0, series: flat(() => 4900) }, 30, { referenceMs: 3500 }).sustainable).toBe(true);
  });

  it('not when an order was left unfinished or a request failed', () => {
    expect(judgeRun(10, { allFinal: false, httpErrors: 0, series: flat(() => 80) }, 30).sustainable).toBe(false);
    expect(judgeRun(10, { allFinal: true, httpErrors: 3, series: flat(() => 80) }, 30).why).toBe('3 HTTP failures');
  });
});
