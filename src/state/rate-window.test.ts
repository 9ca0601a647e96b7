import { expect, test } from 'vitest';
import { SlidingWindow } from './rate-window.ts';

const W = 60_000;

test('a full window refuses, and says to wait until the count has decayed, also across the window boundary', () => {
  for (const offset of [0, 30_000, 59_990]) {
    const start = 1_000 * W + offset; // windows align to the clock; try the start, the middle and the very end of one
    const w = new SlidingWindow(3, W);
    for (let i = 0; i < 3; i++) expect(w.take(start).allowed).toBe(true);
    const verdict = w.take(start);
    expect(verdict.allowed).toBe(false);
    const retryAt = start + verdict.retryAfterMs;
    expect(w.fits(retryAt - 5)).toBe(false);
    expect(w.fits(retryAt + 1)).toBe(true);
  }
});

test('the previous window counts in proportion to its overlap', () => {
  const w = new SlidingWindow(10, W);
  const t0 = 5_000 * W;
  for (let i = 0; i < 10; i++) w.take(t0);
  expect(w.fits(t0 + W)).toBe(false); // all 10 still count
  expect(w.fits(t0 + W + W / 4)).toBe(true); // 10 × 0.75 + 1 ≤ 10
  expect(w.take(t0 + W + W / 4, 3).allowed).toBe(false); // 7.5 + 3 > 10
});
