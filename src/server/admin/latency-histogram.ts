/**
 * Latency percentiles without loading rows: the database counts logs into log-spaced buckets (a CASE expression,
 * with each bucket's own min and max), and a percentile is interpolated within the bucket it falls in.
 */
import { type RawBuilder, sql } from 'kysely';

const LAST_BOUND = 600_000; // 10 minutes: anything slower shares the overflow bucket

/**
 * Exclusive upper bounds in ms: 1, 2, 3, 5, 7 a decade from 1 ms to 10 min. Bucket i holds [BOUNDS[i-1], BOUNDS[i]);
 * bucket BOUNDS.length (the overflow) holds the rest.
 */
export const BOUNDS: readonly number[] = (() => {
  const bounds: number[] = [];
  for (let decade = 1; decade < LAST_BOUND; decade *= 10) {
    for (const step of [1, 2, 3, 5, 7]) if (step * decade < LAST_BOUND) bounds.push(step * decade);
  }
  return [...bounds, LAST_BOUND];
})();

/**
 * The bucket number of a column's value. Literals, not parameters: GROUP BY must repeat the selected expression
 * exactly (MySQL's ONLY_FULL_GROUP_BY).
 */
export function bucketOf(column: 'latency_ms' | 'ttft_ms'): RawBuilder<number> {
  const whens = BOUNDS.map((bound, i) => sql`WHEN ${sql.ref(column)} < ${sql.lit(bound)} THEN ${sql.lit(i)}`);
  return sql<number>`CASE ${sql.join(whens, sql` `)} ELSE ${sql.lit(BOUNDS.length)} END`;
}

/** One bucket's count and the smallest and largest value in it. */
export interface BucketCount {
  bucket: number;
  count: number;
  min: number;
  max: number;
}

export interface Percentiles {
  count: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
}

/** Several groups' histograms (one per model) as one. */
export function mergedHistogram(histograms: Iterable<readonly BucketCount[]>): BucketCount[] {
  const byBucket = new Map<number, BucketCount>();
  for (const histogram of histograms) {
    for (const b of histogram) {
      const seen = byBucket.get(b.bucket);
      if (!seen) byBucket.set(b.bucket, { ...b });
      else {
        seen.count += b.count;
        seen.min = Math.min(seen.min, b.min);
        seen.max = Math.max(seen.max, b.max);
      }
    }
  }
  return [...byBucket.values()];
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/**
 * p50, p90, p95 and p99 by nearest rank, each interpolated between its bucket's min and max as if the bucket's
 * values were evenly spread: exact at a bucket's edges, and off by less than the bucket's width inside it.
 */
export function percentiles(histogram: readonly BucketCount[]): Percentiles {
  const buckets = [...histogram].filter((b) => b.count > 0).sort((a, b) => a.bucket - b.bucket);
  const count = buckets.reduce((sum, b) => sum + b.count, 0);
  const at = (p: number): number | null => {
    if (count === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * count));
    let before = 0;
    for (const b of buckets) {
      if (before + b.count >= rank) {
        const k = rank - before;
        return round(b.count === 1 ? b.min : b.min + ((k - 1) / (b.count - 1)) * (b.max - b.min));
      }
      before += b.count;
    }
    return round(buckets.at(-1)!.max);
  };
  return { count, p50: at(50), p90: at(90), p95: at(95), p99: at(99) };
}
