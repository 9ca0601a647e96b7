/**
 * Rate limits per caller key (an IP address, a token, a deployment): one sliding window per key, made on first use
 * and dropped once idle. `LocalLimiter` counts in this process; `RedisLimiter` (redis-limits.ts) counts the same way
 * across instances.
 */
import { SlidingWindow, type WindowVerdict } from './rate-window.ts';

export type { WindowVerdict };

export interface RateLimiter {
  /** Counts `cost` against the key's window of `limit` per `windowMs` when it fits; with `count: false` only looks. */
  take(
    key: string,
    limit: number,
    windowMs: number,
    cost?: number,
    count?: boolean,
  ): WindowVerdict | Promise<WindowVerdict>;
  /** Counts usage known after the fact (tokens of an answer), even past the limit. */
  add(key: string, limit: number, windowMs: number, cost: number): void;
}

const ALLOWED: WindowVerdict = { allowed: true, retryAfterMs: 0 };

export class LocalLimiter implements RateLimiter {
  private windows = new Map<string, SlidingWindow>();
  /** Keys seen in the previous sweep period: a key unseen for a whole period is dropped with its window. */
  private previous = new Map<string, SlidingWindow>();
  private sweptAt = 0;
  private longestMs = 0;

  private window(key: string, limit: number, windowMs: number, now: number): SlidingWindow {
    if (windowMs > this.longestMs) this.longestMs = windowMs;
    if (now - this.sweptAt >= 2 * this.longestMs) {
      // Two generations: whatever was not used for two of the longest windows has nothing left to count.
      this.previous = this.windows;
      this.windows = new Map();
      this.sweptAt = now;
    }
    let window = this.windows.get(key);
    if (!window) {
      window = this.previous.get(key);
      if (!window || window.limit !== limit) window = new SlidingWindow(limit, windowMs);
      this.windows.set(key, window);
    } else if (window.limit !== limit) {
      window = new SlidingWindow(limit, windowMs);
      this.windows.set(key, window);
    }
    return window;
  }

  take(key: string, limit: number, windowMs: number, cost = 1, count = true): WindowVerdict {
    const now = Date.now();
    const window = this.window(key, limit, windowMs, now);
    if (count) return window.take(now, cost);
    return window.fits(now, cost) ? ALLOWED : { allowed: false, retryAfterMs: window.msUntilFree(now, cost) };
  }

  add(key: string, limit: number, windowMs: number, cost: number): void {
    const now = Date.now();
    this.window(key, limit, windowMs, now).add(now, cost);
  }
}
