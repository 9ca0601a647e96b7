import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { newRequestId } from './headers.ts';

test('request ids are UUIDv7: unique, carrying their time, and ordered by it', async () => {
  const before = Date.now();
  const first = newRequestId();
  await sleep(2);
  const second = newRequestId();
  for (const id of [first, second])
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const time = Number.parseInt(first.slice(0, 8) + first.slice(9, 13), 16);
  expect(time).toBeGreaterThanOrEqual(before);
  expect(time).toBeLessThanOrEqual(Date.now());
  expect(first < second).toBe(true);
  expect(new Set(Array.from({ length: 1000 }, newRequestId)).size).toBe(1000);
});
