import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BOUNDS } from '../src/server/admin/latency-histogram.ts';
import type { NewUsageLog } from '../src/store/schema.ts';
import type { AdminClient } from './admin-client.ts';
import type { RunningGateway } from './harness.ts';
import { ENGINES } from './stores.ts';
import { gatewayWithUsers, insertLogs, usageLog } from './usage-logs.ts';

const MINUTE = 60_000;
/** 2026-03-10T23:59:00Z: a minute before a UTC midnight. */
const EVENING = Date.UTC(2026, 2, 10, 23, 59);
/** The charts' window: the rows of the time-bucket tests, not the latency tests'. */
const CHARTS = `from=${EVENING - 60 * MINUTE}&to=${EVENING + 120 * MINUTE}`;
/** 2027-01-01: the latency tests' rows, away from the charts'. */
const LATER = Date.UTC(2027, 0, 1);
const LATENCY = `from=${LATER}&to=${LATER + 60 * MINUTE}`;

interface Bucket {
  key: string;
  start: number | null;
  series: string | null;
  requests: number;
}
interface Pct {
  count: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
}

/** The nearest-rank percentile of the values, as a database with every row would compute it. */
function exactPercentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

/** The latency answer may miss the exact percentile by at most the width of the bucket it falls in. */
function expectNear(answer: Pct, values: readonly number[]): void {
  expect(answer.count).toBe(values.length);
  for (const p of [50, 90, 95, 99] as const) {
    const truth = exactPercentile(values, p);
    const i = BOUNDS.findIndex((bound) => truth < bound);
    const width = BOUNDS[i]! - (BOUNDS[i - 1] ?? 0);
    expect(Math.abs(answer[`p${p}`]! - truth)).toBeLessThanOrEqual(width);
  }
}

describe.each(ENGINES)('statistics for charts on %s', (engine) => {
  let gateway: RunningGateway;
  let root: AdminClient;
  let alice: AdminClient & { id: number };
  let bob: AdminClient & { id: number };
  let close: () => Promise<void>;
  const fast: number[] = [];
  const slow: number[] = [];
  const fastTtft: number[] = [];

  beforeAll(async () => {
    ({ gateway, root, alice, bob, close } = await gatewayWithUsers(engine));
    const charts: NewUsageLog[] = [
      usageLog({ user_id: alice.id, created_at: EVENING, model: 'm1' }),
      usageLog({ user_id: alice.id, created_at: EVENING + 30_000, model: 'm2', token_name: 'laptop' }),
      usageLog({ user_id: alice.id, created_at: EVENING + 2 * MINUTE, model: 'm1', channel: 'ch-b' }),
      usageLog({ user_id: alice.id, created_at: EVENING + 61 * MINUTE, model: 'm2' }),
      usageLog({ user_id: bob.id, created_at: EVENING + MINUTE, model: 'm1' }),
    ];
    // Latencies with a known distribution: even for `fast`, skewed for `slow`, and failures that must not count.
    const latency: NewUsageLog[] = [];
    for (let ms = 1; ms <= 400; ms++) {
      const ttft = ms % 2 === 0 ? Math.round(ms / 4) : null;
      if (ttft !== null) fastTtft.push(ttft);
      fast.push(ms);
      latency.push(
        usageLog({ user_id: alice.id, created_at: LATER + ms, model: 'fast', latency_ms: ms, ttft_ms: ttft }),
      );
    }
    for (let i = 1; i <= 60; i++) {
      const ms = Math.round(200 * 1.09 ** i);
      slow.push(ms);
      latency.push(usageLog({ user_id: bob.id, created_at: LATER + i, model: 'slow', latency_ms: ms }));
    }
    for (let i = 0; i < 5; i++) {
      latency.push(usageLog({ user_id: alice.id, created_at: LATER, model: 'fast', latency_ms: 900_000, status: 502 }));
    }
    for (let i = 0; i <= 20; i++) {
      const model = `x${String(i).padStart(2, '0')}`;
      latency.push(usageLog({ user_id: bob.id, created_at: LATER, model, latency_ms: 50 }));
    }
    await insertLogs(gateway.gw.store, [...charts, ...latency]);
  });
  afterAll(() => close());

  const stats = (client: AdminClient, query: string) =>
    client.call<{ summary: { requests: number }; buckets: Bucket[] }>('GET', `/api/stats?${CHARTS}&${query}`);
  const pairs = (buckets: Bucket[]) => buckets.map((b) => [b.key, b.requests]);

  test('hourly and per-minute buckets in UTC carry their key and start; other groupings have neither start nor series', async () => {
    const hourly = await stats(alice, 'group_by=hour');
    expect(hourly.body.buckets.map((b) => [b.key, b.start, b.series, b.requests])).toEqual([
      ['2026-03-10T23:00', Date.UTC(2026, 2, 10, 23), null, 2],
      ['2026-03-11T00:00', Date.UTC(2026, 2, 11, 0), null, 1],
      ['2026-03-11T01:00', Date.UTC(2026, 2, 11, 1), null, 1],
    ]);
    const perMinute = await stats(root, 'group_by=minute');
    expect(perMinute.body.buckets.map((b) => [b.key, b.start, b.requests])).toEqual([
      ['2026-03-10T23:59', EVENING, 2],
      ['2026-03-11T00:00', EVENING + MINUTE, 1],
      ['2026-03-11T00:01', EVENING + 2 * MINUTE, 1],
      ['2026-03-11T01:00', EVENING + 61 * MINUTE, 1],
    ]);
    const byModel = await stats(root, 'group_by=model');
    expect(byModel.body.buckets).toEqual([
      expect.objectContaining({ key: 'm1', start: null, series: null, requests: 3 }),
      expect.objectContaining({ key: 'm2', start: null, series: null, requests: 2 }),
    ]);
  });

  test('tz_offset moves day and hour boundaries to local time, half-hour zones included', async () => {
    // UTC+8: 23:59 UTC is 07:59 the next morning, so all of alice's requests fall on 2026-03-11.
    const east = await stats(alice, 'group_by=day&tz_offset=480');
    expect(east.body.buckets.map((b) => [b.key, b.start, b.requests])).toEqual([
      ['2026-03-11', Date.UTC(2026, 2, 11) - 480 * MINUTE, 4],
    ]);
    // UTC-5: the same requests are the evening of 2026-03-10.
    const west = await stats(alice, 'group_by=day&tz_offset=-300');
    expect(pairs(west.body.buckets)).toEqual([['2026-03-10', 4]]);
    // UTC+5:30: 23:59 UTC is 05:29 local; 01:00 UTC is 06:30 local.
    const india = await stats(alice, 'group_by=hour&tz_offset=330');
    expect(india.body.buckets.map((b) => [b.key, b.start, b.requests])).toEqual([
      ['2026-03-11T05:00', Date.UTC(2026, 2, 10, 23, 30), 3],
      ['2026-03-11T06:00', Date.UTC(2026, 2, 11, 0, 30), 1],
    ]);
    const utc = await stats(alice, 'group_by=day');
    expect(pairs(utc.body.buckets)).toEqual([
      ['2026-03-10', 2],
      ['2026-03-11', 2],
    ]);
  });

  test('split_by gives one bucket per time and series; a user splitting by user gets their tokens', async () => {
    const split = await stats(root, 'group_by=day&split_by=model');
    expect(split.body.buckets.map((b) => [b.key, b.series, b.requests])).toEqual([
      ['2026-03-10', 'm1', 1],
      ['2026-03-10', 'm2', 1],
      ['2026-03-11', 'm1', 2],
      ['2026-03-11', 'm2', 1],
    ]);
    const byUser = await stats(root, 'group_by=day&split_by=user');
    expect(byUser.body.buckets.map((b) => [b.key, b.series, b.requests])).toEqual([
      ['2026-03-10', String(alice.id), 2],
      ['2026-03-11', String(alice.id), 2],
      ['2026-03-11', String(bob.id), 1],
    ]);
    const mine = await stats(alice, 'group_by=day&split_by=user');
    expect(mine.body.buckets.map((b) => [b.key, b.series, b.requests])).toEqual([
      ['2026-03-10', 'laptop', 1],
      ['2026-03-10', 't', 1],
      ['2026-03-11', 't', 2],
    ]);
  });

  test('split_by without a time grouping, and a tz_offset beyond ±14 h, are 400s naming the parameter', async () => {
    const split = await stats(root, 'group_by=model&split_by=channel');
    expect(split.status).toBe(400);
    expect(split.body).toMatchObject({ error: { param: 'split_by' } });
    const offset = await stats(root, 'group_by=day&tz_offset=900');
    expect(offset.status).toBe(400);
    expect(offset.body).toMatchObject({ error: { param: 'tz_offset' } });
  });

  test('latency percentiles of successful requests match the inserted latencies within a bucket’s width', async () => {
    const answer = await root.call<{
      latency: Pct;
      ttft: Pct;
      by_model: { model: string; requests: number; latency: Pct; ttft: Pct }[];
    }>('GET', `/api/stats/latency?${LATENCY}`);
    expect(answer.status).toBe(200);
    const others = Array.from({ length: 21 }, () => 50);
    expectNear(answer.body.latency, [...fast, ...slow, ...others]);
    expectNear(answer.body.ttft, fastTtft);
    const [first, second, ...rest] = answer.body.by_model;
    expect(first!.model).toBe('fast');
    expect(first!.requests).toBe(fast.length);
    expectNear(first!.latency, fast);
    expectNear(first!.ttft, fastTtft);
    expect(second!.model).toBe('slow');
    expectNear(second!.latency, slow);
    expect(second!.ttft).toEqual({ count: 0, p50: null, p90: null, p95: null, p99: null });
    expect(answer.body.by_model).toHaveLength(20);
    expect(rest.map((m) => m.model)).toEqual(Array.from({ length: 18 }, (_, i) => `x${String(i).padStart(2, '0')}`));
  });

  test('latency takes the usage filters, and a user sees only their own', async () => {
    const slowOnly = await root.call<{ latency: Pct; by_model: { model: string }[] }>(
      'GET',
      `/api/stats/latency?${LATENCY}&model=slow`,
    );
    expectNear(slowOnly.body.latency, slow);
    expect(slowOnly.body.by_model.map((m) => m.model)).toEqual(['slow']);
    const mine = await alice.call<{ latency: Pct; by_model: { model: string }[] }>(
      'GET',
      `/api/stats/latency?${LATENCY}&user_id=${bob.id}`,
    );
    expectNear(mine.body.latency, fast);
    expect(mine.body.by_model.map((m) => m.model)).toEqual(['fast']);
    const none = await root.call<{ latency: Pct; by_model: unknown[] }>('GET', '/api/stats/latency?from=0&to=1');
    expect(none.body).toEqual({
      latency: { count: 0, p50: null, p90: null, p95: null, p99: null },
      ttft: { count: 0, p50: null, p90: null, p95: null, p99: null },
      by_model: [],
    });
  });
});
