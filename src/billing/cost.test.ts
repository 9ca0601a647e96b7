import { expect, test } from 'vitest';
import { costOf, estimateQuota } from './cost.ts';

const SONNET = { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 };

test('cached input, cache writes and output are each billed at their own price, times the group ratio', () => {
  const usage = {
    promptTokens: 1_000_000,
    completionTokens: 100_000,
    totalTokens: 1_100_000,
    cachedTokens: 600_000,
    cacheWriteTokens: 300_000,
  };
  // 100k plain input × $3 + 600k cached × $0.30 + 300k written × $3.75 + 100k output × $15 (per 1M).
  const usd = 0.3 + 0.18 + 1.125 + 1.5;
  expect(costOf(usage, SONNET, 1).usd).toBeCloseTo(usd, 10);
  expect(costOf(usage, SONNET, 0.5)).toEqual({
    usd: expect.closeTo(usd / 2, 10),
    quota: Math.ceil((usd / 2) * 500_000),
  });
  expect(costOf(usage, { input: 3, output: 15 }, 1).usd).toBeCloseTo(3 + 1.5, 10);
});

test('no usage or no price costs nothing; a paid request never rounds down to zero quota', () => {
  expect(costOf(undefined, SONNET, 1)).toEqual({ usd: 0, quota: 0 });
  expect(costOf({ promptTokens: 5, completionTokens: 5, totalTokens: 10 }, undefined, 1)).toEqual({ usd: 0, quota: 0 });
  expect(costOf({ promptTokens: 1, completionTokens: 0, totalTokens: 1 }, { input: 0.05, output: 0 }, 1).quota).toBe(1);
  expect(estimateQuota(1000, 1000, SONNET, 1)).toBe(Math.ceil(((1000 * 3 + 1000 * 15) / 1e6) * 500_000));
});
