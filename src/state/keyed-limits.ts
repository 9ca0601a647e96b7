/**
 * Rate limits per caller key (an IP address, a token): one sliding window per key, created on first use and dropped
 * once idle, so memory follows the callers of the last two windows. In-process; the Redis-backed version shares the
 * interface.
 */
import { SlidingWindow, type WindowVerdict } from './rate-window.ts';

export interface KeyedLimiter {
  take(key: string, now: number): WindowVerdict;
}

export class KeyedWindows implements KeyedLimiter {
  private readonly limit: number;
  private readonly windowMs: number;
  private windows = new Map<string, SlidingWindow>();
  /** Keys seen in the previous sweep period: a key unseen for a whole period is dropped with its window. */
  private previous = new Map<string, SlidingWindow>();
  private sweptAt = 0;

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Milliseconds until one more would be allowed for the key (0: now), without counting anything. */
  peek(key: string, now: number): number {
    const window = this.windows.get(key) ?? this.previous.get(key);
    if (!window || window.fits(now)) return 0;
    return window.msUntilFree(now);
  }

  take(key: string, now: number): WindowVerdict {
    if (now - this.sweptAt >= 2 * this.windowMs) {
      // Two generations: whatever was not used for two windows has nothing left to count.
      this.previous = this.windows;
      this.windows = new Map();
      this.sweptAt = now;
    }
    let window = this.windows.get(key);
    if (!window) {
      window = this.previous.get(key) ?? new SlidingWindow(this.limit, this.windowMs);
      this.windows.set(key, window);
    }
    return window.take(now);
  }
}
