import { expect, test } from 'vitest';
import { SlidingWindow } from './rate-window.ts';

const W = 60_000;
const BUCKET = W / 60;

test('a full window refuses, and says to wait until the oldest request has left it (at most a bucket late)', () => {
  const start = 1_000 * W + 12_345;
  const w = new SlidingWindow(3, W);
  expect(w.take(start).allowed).toBe(true);
  expect(w.take(start + 10_000).allowed).toBe(true);
  expect(w.take(start + 20_000).allowed).toBe(true);
  const verdict = w.take(start + 30_000);
  expect(verdict.allowed).toBe(false);
  expect(verdict.retryAfterMs).toBeGreaterThanOrEqual(30_000);
  expect(verdict.retryAfterMs).toBeLessThanOrEqual(30_000 + BUCKET);
  const freeAt = start + 30_000 + verdict.retryAfterMs;
  expect(w.fits(freeAt - 1)).toBe(false);
  expect(w.fits(freeAt)).toBe(true);
});

test('no span of one window ever holds more than the limit, across any boundary, and nearly all of it is used', () => {
  const w = new SlidingWindow(60, W);
  const admitted: number[] = [];
  // Offered 5 per second for five minutes, starting mid-bucket.
  for (let t = 30_123; t < 330_123; t += 200) if (w.take(t).allowed) admitted.push(t);
  for (const from of admitted) expect(admitted.filter((t) => t >= from && t < from + W).length).toBeLessThanOrEqual(60);
  expect(admitted.length).toBeGreaterThanOrEqual(294); // 60 a minute, less at most a bucket's delay per minute (2%)
  expect(admitted.length).toBeLessThanOrEqual(300);
});

test('costs count by weight: a token window takes what fits and frees as the weight leaves', () => {
  const w = new SlidingWindow(10, W);
  w.add(0, 7);
  expect(w.take(1_000, 4).allowed).toBe(false);
  expect(w.take(1_000, 3).allowed).toBe(true);
  expect(w.msUntilFree(2_000, 5)).toBe(W + BUCKET - 2_000); // the 7 must go
  expect(w.take(W + BUCKET, 5).allowed).toBe(true);
});

test('memory stays fixed however many requests a high limit lets through', () => {
  const w = new SlidingWindow(100_000_000, W);
  for (let t = 0; t < 5 * W; t += 1) w.take(t);
  expect((w as unknown as { buckets: unknown[] }).buckets.length).toBeLessThanOrEqual(61);
});
