import { describe, expect, test } from 'vitest';
import { type ConfigInput, configSchema } from '../config/schema.ts';
import { Cancellation } from '../core/cancellation.ts';
import { RateLimited, UpstreamError } from '../core/errors.ts';
import { KeyHealth } from '../state/key-health.ts';
import { buildRoutingTable, type Deployment } from './deployments.ts';
import { Router } from './router.ts';
import { Upstreams } from './upstream.ts';

function routerFor(input: ConfigInput, keyHealth = new KeyHealth()) {
  const config = configSchema.parse(input);
  const table = buildRoutingTable(config, new Upstreams());
  return new Router(table, {
    strategy: config.routing.strategy,
    retries: config.routing.retries,
    cooldownMs: config.routing.cooldown_on_429,
    keyHealth,
  });
}

const signal = new Cancellation();
const ok = async (d: Deployment) => d.id;
const status = (upstreamStatus: number, retryAfter?: number) =>
  new UpstreamError(`upstream ${upstreamStatus}`, {
    upstreamStatus,
    retryable: true,
    ...(retryAfter === undefined ? {} : { retryAfter }),
  });

const twoKeys: ConfigInput = {
  providers: [{ name: 'p', type: 'openai', base_url: 'http://127.0.0.1:1/v1', keys: ['k1', 'k2'], models: ['m'] }],
};

describe('model resolution', () => {
  const router = routerFor({
    providers: [
      {
        name: 'a',
        type: 'openai',
        base_url: 'http://127.0.0.1:1/v1',
        keys: ['k'],
        models: ['m1'],
        model_map: { 'gpt-4o': 'm1' },
      },
      { name: 'b', type: 'openai', base_url: 'http://127.0.0.1:2/v1', keys: ['k'], embedding_models: ['e1'] },
    ],
    models: { aliases: { fast: 'm1' } },
  });

  test('served names, model_map names, aliases and random are listed', () => {
    expect(
      router
        .modelNames()
        .map((m) => m.id)
        .sort(),
    ).toEqual(['e1', 'fast', 'gpt-4o', 'm1', 'random']);
  });

  test('an alias resolves to its target and random to a chat model', () => {
    expect(router.resolve('fast', 'chat')).toBe('m1');
    expect(['m1', 'gpt-4o']).toContain(router.resolve('random', 'chat'));
  });

  test('an unknown model, or an embeddings-only model asked for chat, is a 404', () => {
    expect(() => router.resolve('nope', 'chat')).toThrow(/does not exist/);
    expect(() => router.resolve('e1', 'chat')).toThrow(/does not exist/);
    expect(router.resolve('e1', 'embeddings')).toBe('e1');
  });
});

describe('retries, cooldowns and key health', () => {
  test('429 from one key cools it down and the next key answers', async () => {
    const health = new KeyHealth();
    const router = routerFor({ ...twoKeys, routing: { retries: 1 } }, health);
    const seen: string[] = [];
    const { value, lease } = await router.run(
      'm',
      'chat',
      async (d) => {
        seen.push(d.keyId);
        if (seen.length === 1) throw status(429, 30);
        return d.keyId;
      },
      signal,
    );
    lease.release();
    expect(seen).toHaveLength(2);
    expect(value).toBe(seen[1]);
    expect(seen[0]).not.toBe(seen[1]);
    expect(health.usable(seen[0]!, Date.now())).toBe(false);
    expect(health.usableAt(seen[0]!)).toBeGreaterThan(Date.now() + 25_000);
    // Every later request goes to the healthy key only.
    for (let i = 0; i < 10; i++) {
      const r = await router.run('m', 'chat', ok, signal);
      r.lease.release();
      expect(r.value.startsWith(seen[1]!)).toBe(true);
    }
  });

  test('401 takes the key out of rotation with the reason', async () => {
    const health = new KeyHealth();
    const router = routerFor(twoKeys, health);
    let first = '';
    const r = await router.run(
      'm',
      'chat',
      async (d) => {
        if (!first) {
          first = d.keyId;
          throw status(401);
        }
        return d.keyId;
      },
      signal,
    );
    r.lease.release();
    expect(health.status(first).disabledReason).toMatch(/401/);
  });

  test('when every deployment failed, the last upstream error is what the caller gets', async () => {
    const router = routerFor({ ...twoKeys, routing: { retries: 5 } });
    let calls = 0;
    await expect(
      router.run(
        'm',
        'chat',
        async () => {
          calls++;
          throw status(503);
        },
        signal,
      ),
    ).rejects.toThrow(/upstream 503/);
    expect(calls).toBe(2); // each deployment once: retries go to the next deployment
  });

  test('a non-retryable error is not retried', async () => {
    const router = routerFor(twoKeys);
    let calls = 0;
    const err = new UpstreamError('bad request', { upstreamStatus: 400, retryable: false, status: 400 });
    await expect(
      router.run(
        'm',
        'chat',
        async () => {
          calls++;
          throw err;
        },
        signal,
      ),
    ).rejects.toBe(err);
    expect(calls).toBe(1);
  });
});

describe('strategies and priority', () => {
  const providers = (strategy: 'round-robin' | 'weighted' | 'least-busy' | 'random') =>
    routerFor({
      routing: { strategy },
      providers: [
        { name: 'a', type: 'openai', base_url: 'http://127.0.0.1:1/v1', keys: ['k'], models: ['m'], weight: 3 },
        { name: 'b', type: 'openai', base_url: 'http://127.0.0.1:2/v1', keys: ['k'], models: ['m'], weight: 1 },
        { name: 'c', type: 'openai', base_url: 'http://127.0.0.1:3/v1', keys: ['k'], models: ['m'], priority: 1 },
      ],
    });

  async function distribution(router: Router, n: number): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const r = await router.run('m', 'chat', async (d) => d.provider.config.name, signal);
      r.lease.release();
      counts[r.value] = (counts[r.value] ?? 0) + 1;
    }
    return counts;
  }

  test('round-robin alternates within the first priority tier and never uses the fallback tier', async () => {
    expect(await distribution(providers('round-robin'), 10)).toEqual({ a: 5, b: 5 });
  });

  test('weighted follows the weights', async () => {
    const counts = await distribution(providers('weighted'), 4000);
    expect(counts.c).toBeUndefined();
    expect(counts.a! / 4000).toBeGreaterThan(0.7);
    expect(counts.a! / 4000).toBeLessThan(0.8);
  });

  test('a failing first tier falls back to the next priority', async () => {
    const router = providers('random');
    const r = await router.run(
      'm',
      'chat',
      async (d) => {
        if (d.priority === 0) throw status(500);
        return d.provider.config.name;
      },
      signal,
    );
    r.lease.release();
    expect(r.value).toBe('c');
  });

  test('least-busy sends to the deployment with fewest requests in flight', async () => {
    const router = providers('least-busy');
    const held = await router.run('m', 'chat', async (d) => d.provider.config.name, signal);
    const next = await router.run('m', 'chat', async (d) => d.provider.config.name, signal);
    expect(next.value).not.toBe(held.value);
    held.lease.release();
    next.lease.release();
  });
});

describe('per-deployment limits', () => {
  const limited = (limits: NonNullable<ConfigInput['providers']>[number]['limits']) =>
    routerFor({
      providers: [{ name: 'p', type: 'openai', base_url: 'http://127.0.0.1:1/v1', keys: ['k'], models: ['m'], limits }],
    });

  test('concurrency: the request over the limit waits for a slot, then runs', async () => {
    const router = limited({ concurrency: 1, queue_timeout: '2s' });
    const first = await router.run('m', 'chat', ok, signal);
    let secondRan = false;
    const second = router.run(
      'm',
      'chat',
      async (d) => {
        secondRan = true;
        return d.id;
      },
      signal,
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(secondRan).toBe(false);
    first.lease.release();
    (await second).lease.release();
    expect(secondRan).toBe(true);
  });

  test('concurrency: past the queue timeout the caller gets 429', async () => {
    const router = limited({ concurrency: 1, queue_timeout: '100ms' });
    const first = await router.run('m', 'chat', ok, signal);
    await expect(router.run('m', 'chat', ok, signal)).rejects.toBeInstanceOf(RateLimited);
    first.lease.release();
  });

  test('rpm: requests over the limit are refused with Retry-After when the wait would exceed the queue timeout', async () => {
    const router = limited({ rpm: 3, queue_timeout: '200ms' });
    for (let i = 0; i < 3; i++) (await router.run('m', 'chat', ok, signal)).lease.release();
    const err = await router.run('m', 'chat', ok, signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimited);
    expect((err as RateLimited).retryAfter).toBeGreaterThan(1);
  });

  test('rps: a request over the limit waits for the next second instead of failing', async () => {
    const router = limited({ rps: 2, queue_timeout: '5s' });
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) (await router.run('m', 'chat', ok, signal)).lease.release();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
  });
});
