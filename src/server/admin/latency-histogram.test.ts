import { describe, expect, test } from 'vitest';
import { BOUNDS, type BucketCount, mergedHistogram, percentiles } from './latency-histogram.ts';

/** What the database's GROUP BY would answer for these values. */
function histogram(values: readonly number[]): BucketCount[] {
  const buckets = new Map<number, BucketCount>();
  for (const v of values) {
    const i = BOUNDS.findIndex((bound) => v < bound);
    const bucket = i === -1 ? BOUNDS.length : i;
    const b = buckets.get(bucket) ?? { bucket, count: 0, min: v, max: v };
    b.count++;
    b.min = Math.min(b.min, v);
    b.max = Math.max(b.max, v);
    buckets.set(bucket, b);
  }
  return [...buckets.values()];
}

function exact(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

/** The width of the bucket a value falls in: how far an interpolated percentile may be from the exact one. */
function widthAt(v: number): number {
  const i = BOUNDS.findIndex((bound) => v < bound);
  return i === -1 ? Number.POSITIVE_INFINITY : BOUNDS[i]! - (BOUNDS[i - 1] ?? 0);
}

describe('latency percentiles from a histogram', () => {
  test('bounds rise from 1 ms to 10 minutes', () => {
    expect(BOUNDS[0]).toBe(1);
    expect(BOUNDS.at(-1)).toBe(600_000);
    expect(BOUNDS.every((b, i) => i === 0 || b > BOUNDS[i - 1]!)).toBe(true);
  });

  test('evenly spread values give the exact percentiles', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentiles(histogram(values))).toEqual({ count: 1000, p50: 500, p90: 900, p95: 950, p99: 990 });
  });

  test('skewed values land within their bucket’s width of the exact percentile', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const values = Array.from({ length: 5000 }, () => Math.round(Math.exp(3 + 4 * random() ** 2)));
    const answer = percentiles(histogram(values));
    for (const p of [50, 90, 95, 99] as const) {
      const truth = exact(values, p);
      expect(Math.abs(answer[`p${p}`]! - truth)).toBeLessThanOrEqual(widthAt(truth));
    }
  });

  test('one value, an overflow beyond 10 minutes, and no values at all', () => {
    expect(percentiles(histogram([240]))).toEqual({ count: 1, p50: 240, p90: 240, p95: 240, p99: 240 });
    expect(percentiles(histogram([100, 900_000])).p99).toBe(900_000);
    expect(percentiles([])).toEqual({ count: 0, p50: null, p90: null, p95: null, p99: null });
  });

  test('merging per-model histograms equals the histogram of all values', () => {
    const a = [5, 80, 120, 3000];
    const b = [7, 90, 95, 400_000];
    expect(percentiles(mergedHistogram([histogram(a), histogram(b)]))).toEqual(percentiles(histogram([...a, ...b])));
  });
});
