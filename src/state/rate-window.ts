/**
 * An exact sliding window (a log of what was counted when): any span of `windowMs` holds at most `limit`, which a
 * two-bucket approximation cannot promise (it lets up to 1.5× through across a boundary). The Redis limiter keeps the
 * same log in a sorted set, so one instance and many count alike.
 */

export interface WindowVerdict {
  allowed: boolean;
  /** When refused: milliseconds until a request would be allowed again. */
  retryAfterMs: number;
}

export class SlidingWindow {
  readonly limit: number;
  private readonly windowMs: number;
  private times: number[] = [];
  private costs: number[] = [];
  /** Index of the oldest entry still in the window. */
  private head = 0;
  private sum = 0;

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Drops what left the window: an entry counted at `t` no longer counts from `t + windowMs` on. */
  private expire(now: number): void {
    const cutoff = now - this.windowMs;
    const { times, costs } = this;
    let head = this.head;
    while (head < times.length && times[head]! <= cutoff) this.sum -= costs[head++]!;
    if (head === times.length) {
      this.times = [];
      this.costs = [];
      this.head = 0;
      this.sum = 0;
    } else if (head > 512 && head * 2 > times.length) {
      this.times = times.slice(head);
      this.costs = costs.slice(head);
      this.head = 0;
    } else this.head = head;
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
    this.times.push(now);
    this.costs.push(cost);
    this.sum += cost;
  }

  msUntilFree(now: number, cost = 1): number {
    this.expire(now);
    if (cost > this.limit) return this.windowMs;
    let left = this.sum;
    for (let i = this.head; i < this.times.length && left + cost > this.limit; i++) {
      left -= this.costs[i]!;
      if (left + cost <= this.limit) return Math.max(1, this.times[i]! + this.windowMs - now);
    }
    return 1;
  }
}
