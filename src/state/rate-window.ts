/**
 * A sliding window kept as 60 buckets of a 60th of the window each: what was counted in a bucket leaves the window
 * one window after the bucket's end. So no span of `windowMs` ever holds more than `limit` (a two-bucket
 * approximation lets up to 1.5× through across a boundary), a freed slot comes back at most a 60th of the window
 * late, and memory stays fixed however high the limit. The Redis limiter keeps the same buckets in a hash.
 */

export interface WindowVerdict {
  allowed: boolean;
  /** When refused: milliseconds until a request would be allowed again. */
  retryAfterMs: number;
}

export const WINDOW_BUCKETS = 60;

export class SlidingWindow {
  readonly limit: number;
  private readonly windowMs: number;
  private readonly bucketMs: number;
  /** Counts by bucket number (time / bucketMs), oldest first; at most WINDOW_BUCKETS + 1 live. */
  private buckets: { index: number; count: number }[] = [];
  private sum = 0;

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.bucketMs = windowMs / WINDOW_BUCKETS;
  }

  /** When what was counted in bucket `index` stops counting. */
  private leavesAt(index: number): number {
    return (index + 1) * this.bucketMs + this.windowMs;
  }

  private expire(now: number): void {
    let gone = 0;
    while (gone < this.buckets.length && this.leavesAt(this.buckets[gone]!.index) <= now) {
      this.sum -= this.buckets[gone]!.count;
      gone++;
    }
    if (gone) this.buckets.splice(0, gone);
    if (!this.buckets.length) this.sum = 0;
  }

  /** Counts `cost` against the window if it fits; otherwise says how long until it would. */
  take(now: number, cost = 1): WindowVerdict {
    if (!this.fits(now, cost)) return { allowed: false, retryAfterMs: this.msUntilFree(now, cost) };
    this.record(now, cost);
    return { allowed: true, retryAfterMs: 0 };
  }

  /** Whether `cost` would fit now, without counting it. */
  fits(now: number, cost = 1): boolean {
    this.expire(now);
    return this.sum + cost <= this.limit;
  }

  /** Adds usage after the fact (e.g. tokens known once the answer is in), even past the limit. */
  add(now: number, cost: number): void {
    this.expire(now);
    this.record(now, cost);
  }

  private record(now: number, cost: number): void {
    const index = Math.floor(now / this.bucketMs);
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.index === index) last.count += cost;
    else this.buckets.push({ index, count: cost });
    this.sum += cost;
  }

  msUntilFree(now: number, cost = 1): number {
    this.expire(now);
    if (cost > this.limit) return this.windowMs;
    let left = this.sum;
    for (const bucket of this.buckets) {
      if (left + cost <= this.limit) break;
      left -= bucket.count;
      if (left + cost <= this.limit) return Math.max(1, Math.ceil(this.leavesAt(bucket.index) - now));
    }
    return 1;
  }
}
