import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AdminClient } from './admin-client.ts';
import type { RunningGateway } from './harness.ts';
import { ENGINES } from './stores.ts';
import { gatewayWithUsers, usageLog as log } from './usage-logs.ts';

const DAY = 86_400_000;
/** 2026-03-10T23:59:00Z: a minute before a UTC midnight. */
const EVENING = Date.UTC(2026, 2, 10, 23, 59);

describe.each(ENGINES)('usage logs and statistics on %s', (engine) => {
  let gateway: RunningGateway;
  let root: AdminClient;
  let alice: AdminClient & { id: number };
  let bob: AdminClient & { id: number };
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ gateway, root, alice, bob, close } = await gatewayWithUsers(engine));
    await gateway.gw.store.db
      .insertInto('usage_logs')
      .values([
        log({ user_id: alice.id, created_at: EVENING, model: 'm1', latency_ms: 100, ttft_ms: 10 }),
        log({ user_id: alice.id, created_at: EVENING + 30_000, model: 'm2', latency_ms: 300, ttft_ms: 30 }),
        log({
          user_id: alice.id,
          created_at: EVENING + 2 * 60_000,
          model: 'm1',
          status: 502,
          error: 'upstream',
          quota: 0,
          cost_usd: 0,
        }),
        log({ user_id: alice.id, created_at: EVENING + DAY, model: 'm2', channel: 'ch-b', token_name: 'other' }),
        log({ user_id: bob.id, created_at: EVENING + 60_000, model: 'm1', prompt_tokens: 1000 }),
      ])
      .execute();
  });
  afterAll(() => close());

  test('a user sees only their own logs, newest first, with filters and paging', async () => {
    const mine = await alice.call<{ items: { created_at: number; user_id: number }[]; total: number }>(
      'GET',
      '/api/logs?page_size=2',
    );
    expect(mine.body.total).toBe(4);
    expect(mine.body.items.map((r) => r.created_at)).toEqual([EVENING + DAY, EVENING + 2 * 60_000]);
    const page2 = await alice.call<{ items: { created_at: number }[] }>('GET', '/api/logs?page_size=2&page=2');
    expect(page2.body.items.map((r) => r.created_at)).toEqual([EVENING + 30_000, EVENING]);
    const peek = await alice.call<{ total: number }>('GET', `/api/logs?user_id=${bob.id}`);
    expect(peek.body.total).toBe(4);
    const errors = await alice.call<{ items: { status: number; error: string }[] }>(
      'GET',
      '/api/logs?errors_only=true',
    );
    expect(errors.body.items).toEqual([expect.objectContaining({ status: 502, error: 'upstream' })]);
    const m2 = await alice.call<{ total: number }>('GET', `/api/logs?model=m2&from=${EVENING}&to=${EVENING + DAY}`);
    expect(m2.body.total).toBe(1);
    const all = await root.call<{ total: number }>('GET', '/api/logs');
    expect(all.body.total).toBe(5);
    const bobs = await root.call<{ total: number }>('GET', `/api/logs?user_id=${bob.id}`);
    expect(bobs.body.total).toBe(1);
  });

  test('statistics by UTC day split at midnight; sums and averages are numbers', async () => {
    const byDay = await alice.call<{ summary: Record<string, number>; buckets: Record<string, unknown>[] }>(
      'GET',
      '/api/stats?group_by=day',
    );
    expect(byDay.body.summary).toMatchObject({ requests: 4, errors: 1, prompt_tokens: 40, quota: 300 });
    expect(byDay.body.buckets).toEqual([
      expect.objectContaining({ key: '2026-03-10', requests: 2, errors: 0, avg_latency_ms: 200, avg_ttft_ms: 20 }),
      expect.objectContaining({ key: '2026-03-11', requests: 2, errors: 1, completion_tokens: 10 }),
    ]);
    expect(byDay.body.buckets[1]!.cost_usd).toBeCloseTo(0.0002, 10);
    const byModel = await root.call<{ buckets: { key: string; requests: number; prompt_tokens: number }[] }>(
      'GET',
      '/api/stats?group_by=model',
    );
    expect(byModel.body.buckets).toEqual([
      expect.objectContaining({ key: 'm1', requests: 3, prompt_tokens: 1020 }),
      expect.objectContaining({ key: 'm2', requests: 2, prompt_tokens: 20 }),
    ]);
    const byChannel = await alice.call<{ buckets: { key: string; requests: number }[] }>(
      'GET',
      '/api/stats?group_by=channel',
    );
    expect(byChannel.body.buckets.map((b) => [b.key, b.requests])).toEqual([
      ['ch-a', 3],
      ['ch-b', 1],
    ]);
    const empty = await alice.call<{ summary: Record<string, unknown> }>('GET', '/api/stats?from=0&to=1');
    expect(empty.body.summary).toMatchObject({ requests: 0, cost_usd: 0, avg_latency_ms: null });
  });

  test('everyone reads prices; only admins set them, and a deleted price falls back to the built-in one', async () => {
    const prices = await alice.call<{ model: string; source: string }[]>('GET', '/api/prices');
    expect(prices.body).toContainEqual(expect.objectContaining({ model: 'gpt-4o', source: 'builtin' }));
    expect((await alice.call('PUT', '/api/prices/gpt-4o', { input: 1, output: 1 })).status).toBe(403);
    const set = await root.call('PUT', `/api/prices/${encodeURIComponent('openrouter/my:model')}`, {
      input: 1,
      output: 2,
    });
    expect(set.body).toMatchObject({ model: 'openrouter/my:model', source: 'database' });
    expect(gateway.gw.prices.of('openrouter/my:model')).toMatchObject({ input: 1, output: 2 });
    expect((await root.call('PUT', '/api/prices/gpt-4o', { input: -1, output: 1 })).status).toBe(400);
    await root.call('PUT', '/api/prices/gpt-4o', { input: 9, output: 9 });
    expect(gateway.gw.prices.of('gpt-4o')).toMatchObject({ input: 9, source: 'database' });
    expect((await root.call('DELETE', '/api/prices/gpt-4o')).status).toBe(200);
    expect(gateway.gw.prices.of('gpt-4o')).toMatchObject({ input: 2.5, source: 'builtin' });
  });
});
