/**
 * A small HDR-style log-linear latency histogram: constant memory, exact count, min and max, and
 * percentiles with a relative error below 1/128 (0.8 %).
 *
 * Values are recorded as whole microseconds (from milliseconds). The first 256 buckets are exact
 * (0..255 µs); above that every power of two is split into 128 equal buckets, so a bucket is never
 * wider than 1/128 of the values in it. With the default ceiling of 60 s that is 2,560 buckets.
 * Values above the ceiling are counted in the top bucket (the exact maximum is still kept);
 * negative values count as 0.
 *
 * A percentile is the value of rank ceil(p/100 · count): the exact minimum or maximum at the two
 * ends, otherwise the highest value of the bucket that holds that rank (as HdrHistogram reports
 * it), so it errs high, never low, and never beyond the maximum.
 */

const SUB_BUCKETS = 256;
const HALF = SUB_BUCKETS / 2;
const SUB_BITS = 7; // log2(HALF)

export interface Histogram {
  /** Records one value in milliseconds. */
  record(valueMs: number): void;
  /** The value (ms) at or below which `percentile` % of the recorded values lie; 0 when empty. */
  percentile(percentile: number): number;
  readonly count: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly meanMs: number;
  reset(): void;
}

/** The bucket of a value in whole microseconds (0 ≤ micros < 2^31). */
export function bucketOf(micros: number): number {
  if (micros < SUB_BUCKETS) return micros;
  const shift = 31 - Math.clz32(micros) - SUB_BITS; // micros >> shift lies in [HALF, SUB_BUCKETS)
  return SUB_BUCKETS + (shift - 1) * HALF + ((micros >>> shift) - HALF);
}

/** The highest value in whole microseconds that falls into `bucket`. */
export function highestIn(bucket: number): number {
  if (bucket < SUB_BUCKETS) return bucket;
  const shift = Math.floor((bucket - SUB_BUCKETS) / HALF) + 1;
  const sub = ((bucket - SUB_BUCKETS) % HALF) + HALF;
  return (sub + 1) * 2 ** shift - 1;
}

export function createHistogram({ maxMs = 60_000 }: { maxMs?: number } = {}): Histogram {
  if (!(maxMs >= 1 && maxMs * 1000 < 2 ** 31)) throw new RangeError(`maxMs must be between 1 and ${Math.floor(2 ** 31 / 1000)}; got ${maxMs}`);
  const ceiling = Math.round(maxMs * 1000);
  const counts = new Float64Array(bucketOf(ceiling) + 1);
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;

  return {
    record(valueMs) {
      if (!Number.isFinite(valueMs)) throw new RangeError(`cannot record ${valueMs}`);
      const micros = Math.min(ceiling, Math.max(0, Math.round(valueMs * 1000)));
      counts[bucketOf(micros)]! += 1;
      count += 1;
      sum += valueMs;
      min = Math.min(min, valueMs);
      max = Math.max(max, valueMs);
    },
    percentile(percentile) {
      if (!(percentile >= 0 && percentile <= 100)) throw new RangeError(`percentile must be within 0..100; got ${percentile}`);
      if (count === 0) return 0;
      const rank = Math.max(1, Math.ceil((percentile / 100) * count));
      // The smallest and the largest value are known exactly.
      if (rank === 1) return min;
      if (rank === count) return max;
      let seen = 0;
      for (let bucket = 0; bucket < counts.length; bucket++) {
        seen += counts[bucket]!;
        if (seen >= rank) return Math.max(min, Math.min(max, highestIn(bucket) / 1000));
      }
      return max;
    },
    get count() {
      return count;
    },
    get minMs() {
      return count === 0 ? 0 : min;
    },
    get maxMs() {
      return count === 0 ? 0 : max;
    },
    get meanMs() {
      return count === 0 ? 0 : sum / count;
    },
    reset() {
      counts.fill(0);
      count = 0;
      sum = 0;
      min = Infinity;
      max = -Infinity;
    },
  };
}
