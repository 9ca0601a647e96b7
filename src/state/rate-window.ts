/** A sliding-window counter (two fixed windows, the older weighted by overlap): rate limits in O(1) memory per key. */

export interface WindowVerdict {
  allowed: boolean;
  /** When refused: milliseconds until a request would be allowed again. */
  retryAfterMs: number;
}

export class SlidingWindow {
  readonly limit: number;
  private readonly windowMs: number;
  private windowStart = 0;
  private current = 0;
  private previous = 0;

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  private roll(now: number): void {
    const elapsed = now - this.windowStart;
    if (elapsed < this.windowMs) return;
    this.previous = elapsed < 2 * this.windowMs ? this.current : 0;
    this.current = 0;
    this.windowStart = now - (elapsed % this.windowMs);
  }

  private weighted(now: number): number {
    const overlap = 1 - (now - this.windowStart) / this.windowMs;
    return this.previous * overlap + this.current;
  }

  /** Counts `cost` against the window if it fits; otherwise says how long until it would. */
  take(now: number, cost = 1): WindowVerdict {
    this.roll(now);
    const used = this.weighted(now);
    if (used + cost <= this.limit + 1e-9) {
      this.current += cost;
      return { allowed: true, retryAfterMs: 0 };
    }
    return { allowed: false, retryAfterMs: this.msUntilFree(now, cost) };
  }

  /** Whether `cost` would fit now, without counting it. */
  fits(now: number, cost = 1): boolean {
    this.roll(now);
    return this.weighted(now) + cost <= this.limit + 1e-9;
  }

  /** Adds usage after the fact (e.g. tokens known once the answer is in), even past the limit. */
  add(now: number, cost: number): void {
    this.roll(now);
    this.current += cost;
  }

  msUntilFree(now: number, cost = 1): number {
    this.roll(now);
    const W = this.windowMs;
    let at: number;
    if (this.current + cost <= this.limit) {
      // Within this window: wait until the previous window's weight has decayed enough.
      if (this.previous === 0) return 1;
      at = this.windowStart + W * (1 - (this.limit - this.current - cost) / this.previous);
    } else {
      // Only after this window ends, when its count becomes the previous window's and decays in turn.
      at = this.windowStart + W + W * (1 - (this.limit - cost) / this.current);
    }
    return Math.max(1, Math.ceil(at - now));
  }
}
