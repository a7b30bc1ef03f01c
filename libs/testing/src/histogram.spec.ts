import { bucketOf, createHistogram, highestIn } from './histogram';

/** The exact percentile of sorted data by the same rank rule: the ceil(p/100 · n)-th smallest value. */
const exactPercentile = (sorted: number[], p: number) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;

describe('the latency histogram', () => {
  it('answers percentiles of 1..1000 ms within 1 %, with the exact minimum and maximum', () => {
    const h = createHistogram();
    for (let ms = 1; ms <= 1000; ms++) h.record(ms);

    expect(h.count).toBe(1000);
    expect(h.minMs).toBe(1);
    expect(h.maxMs).toBe(1000);
    expect(h.meanMs).toBeCloseTo(500.5, 10);
    expect(h.percentile(0)).toBe(1);
    expect(h.percentile(100)).toBe(1000);
    for (const [p, exact] of [[50, 500], [90, 900], [99, 990], [99.9, 999]] as const) {
      expect(h.percentile(p)).toBeGreaterThanOrEqual(exact);
      expect(h.percentile(p)).toBeLessThanOrEqual(exact * 1.01);
    }
  });

  it('never reports a percentile below the true one nor more than 1/128 above it', () => {
    // A deterministic spread over six orders of magnitude (0.05 ms .. 50 s).
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values = Array.from({ length: 20_000 }, () => 0.05 * 10 ** (random() * 6));
    const h = createHistogram();
    values.forEach((v) => h.record(v));
    const sorted = [...values].sort((a, b) => a - b);

    for (const p of [1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99]) {
      const exact = exactPercentile(sorted, p);
      const reported = h.percentile(p);
      // Recording rounds to whole microseconds, hence the half-microsecond slack.
      expect(reported).toBeGreaterThanOrEqual(exact - 0.0005);
      expect(reported).toBeLessThanOrEqual(exact * (1 + 1 / 128) + 0.001);
    }
  });

  it('is exact below a quarter of a millisecond', () => {
    const h = createHistogram();
    [0.001, 0.002, 0.003, 0.1, 0.2].forEach((v) => h.record(v));
    expect(h.percentile(20)).toBe(0.001);
    expect(h.percentile(60)).toBe(0.003);
    expect(h.percentile(80)).toBe(0.1);
  });

  it('counts values above its ceiling in the top bucket and keeps the exact maximum', () => {
    const h = createHistogram({ maxMs: 1000 });
    h.record(10);
    h.record(5000);
    expect(h.count).toBe(2);
    expect(h.maxMs).toBe(5000);
    expect(h.percentile(100)).toBe(5000);
    expect(h.percentile(50)).toBeCloseTo(10, 1);
  });

  it('answers 0 when empty and starts over after reset', () => {
    const h = createHistogram();
    expect([h.count, h.percentile(50), h.minMs, h.maxMs, h.meanMs]).toEqual([0, 0, 0, 0, 0]);
    h.record(7);
    h.reset();
    expect([h.count, h.percentile(99), h.maxMs]).toEqual([0, 0, 0]);
    h.record(3);
    expect(h.percentile(50)).toBe(3);
  });

  it('refuses nonsense', () => {
    const h = createHistogram();
    expect(() => h.record(Number.NaN)).toThrow(RangeError);
    expect(() => h.percentile(101)).toThrow(RangeError);
    expect(() => createHistogram({ maxMs: 10_000_000 })).toThrow(RangeError);
  });

  it('has buckets that tile the value range without gaps or overlaps', () => {
    for (let bucket = 0; bucket < 2600; bucket++) {
      expect(bucketOf(highestIn(bucket))).toBe(bucket);
      expect(bucketOf(highestIn(bucket) + 1)).toBe(bucket + 1);
    }
  });
});
