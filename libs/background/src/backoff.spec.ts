import { backoffMs, createBackoff } from './backoff';

describe('the back-off', () => {
  it('doubles its ceiling with each failure up to the cap, and waits between half the ceiling and the ceiling', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, 100, 1_000, () => 1))).toEqual([200, 400, 800, 1_000, 1_000, 1_000]);
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 100, 1_000, () => 0))).toEqual([100, 200, 400, 500]);
  });

  it('keeps to its bounds for a huge attempt count', () => {
    expect(backoffMs(10_000, 100, 5_000, () => 0.5)).toBe(3_750);
  });

  it('grows while failures follow each other and starts over after a success', () => {
    const backoff = createBackoff({ initialMs: 100, maxMs: 10_000 }, () => 1);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([200, 400, 800]);
    expect(backoff.failures).toBe(3);
    backoff.reset();
    expect(backoff.failures).toBe(0);
    expect(backoff.next()).toBe(200);
  });

  it('refuses delays that are not positive when it is made', () => {
    expect(() => createBackoff({ initialMs: 0, maxMs: 100 })).toThrow(/positive/);
    expect(() => createBackoff({ initialMs: 100, maxMs: Number.NaN })).toThrow(/positive/);
  });
});
