import { expect, test } from 'vitest';
import { SlidingWindow } from './rate-window.ts';

const W = 60_000;

test('a full window refuses, and says to wait until the oldest request has left it', () => {
  const start = 1_000 * W + 12_345;
  const w = new SlidingWindow(3, W);
  expect(w.take(start).allowed).toBe(true);
  expect(w.take(start + 10_000).allowed).toBe(true);
  expect(w.take(start + 20_000).allowed).toBe(true);
  const verdict = w.take(start + 30_000);
  expect(verdict).toEqual({ allowed: false, retryAfterMs: 30_000 });
  expect(w.fits(start + W - 1)).toBe(false);
  expect(w.fits(start + W)).toBe(true);
});

test('no span of one window ever holds more than the limit, across any boundary', () => {
  const w = new SlidingWindow(60, W);
  const admitted: number[] = [];
  // Offered 5 per second for five minutes, starting mid-window.
  for (let t = 30_000; t < 330_000; t += 200) if (w.take(t).allowed) admitted.push(t);
  for (const from of admitted) expect(admitted.filter((t) => t >= from && t < from + W).length).toBeLessThanOrEqual(60);
  expect(admitted.length).toBe(300); // 60 per minute over five minutes, exactly
});

test('costs count by weight: a token window takes what fits and frees as the weight leaves', () => {
  const w = new SlidingWindow(10, W);
  w.add(0, 7);
  expect(w.take(1_000, 4).allowed).toBe(false);
  expect(w.take(1_000, 3).allowed).toBe(true);
  expect(w.msUntilFree(2_000, 5)).toBe(W - 2_000); // the 7 must go
  expect(w.take(W, 5).allowed).toBe(true);
});
