import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { redisInstances } from '../../test/shared-redis.ts';
import { createLogger } from '../log.ts';
import { metrics } from '../metrics.ts';
import type { Deployment } from '../router/deployments.ts';
import { LocalLimiter, type RateLimiter } from './keyed-limits.ts';
import { SharedRedis } from './redis.ts';
import { RedisGate, RedisLimiter } from './redis-limits.ts';
import { RedisResponseStore } from './redis-response-store.ts';
import { MemoryResponseStore, type ResponseStore } from './response-store.ts';

/** One backend, seen from two instances (the same objects for the in-process one). */
interface Backend {
  limiters: [RateLimiter, RateLimiter];
  responses: [ResponseStore, ResponseStore];
  dispose(): Promise<void>;
}

const BACKENDS: Record<string, () => Promise<Backend>> = {
  'in-process': async () => {
    const limiter = new LocalLimiter();
    const responses = new MemoryResponseStore();
    return { limiters: [limiter, limiter], responses: [responses, responses], dispose: async () => {} };
  },
  redis: async () => {
    const { instances, dispose } = await redisInstances(2);
    const [a, b] = instances as [SharedRedis, SharedRedis];
    return {
      limiters: [new RedisLimiter(a), new RedisLimiter(b)],
      responses: [new RedisResponseStore(a), new RedisResponseStore(b)],
      dispose,
    };
  },
};

describe.each(Object.keys(BACKENDS))('shared state, %s', (name) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await BACKENDS[name]!();
  });
  afterAll(() => backend.dispose());

  test('a limit counts every instance together and says how long to wait', async () => {
    const [a, b] = backend.limiters;
    for (let i = 0; i < 3; i++) expect((await a.take('ip:1', 5, 60_000)).allowed).toBe(true);
    for (let i = 0; i < 2; i++) expect((await b.take('ip:1', 5, 60_000)).allowed).toBe(true);
    const refused = await b.take('ip:1', 5, 60_000);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(55_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(61_000); // freed up to a bucket (a 60th) after the minute
    expect((await a.take('ip:2', 5, 60_000)).allowed).toBe(true); // another key counts apart
  });

  test('looking does not count; usage added after the fact does, even past the limit', async () => {
    const [a, b] = backend.limiters;
    for (let i = 0; i < 5; i++) expect((await a.take('tpm:1', 10, 60_000, 1, false)).allowed).toBe(true);
    a.add('tpm:1', 10, 60_000, 7);
    await sleep(50); // added without waiting for Redis
    expect((await b.take('tpm:1', 10, 60_000, 4, false)).allowed).toBe(false);
    expect((await b.take('tpm:1', 10, 60_000, 3, false)).allowed).toBe(true);
    b.add('tpm:1', 10, 60_000, 20);
    await sleep(50);
    expect((await a.take('tpm:1', 10, 60_000, 1, false)).allowed).toBe(false);
  });

  test('a short window frees as its requests leave it', async () => {
    const [a, b] = backend.limiters;
    expect((await a.take('rps', 2, 300)).allowed).toBe(true);
    expect((await b.take('rps', 2, 300)).allowed).toBe(true);
    const refused = await a.take('rps', 2, 300);
    expect(refused.allowed).toBe(false);
    await sleep(refused.retryAfterMs + 20);
    expect((await b.take('rps', 2, 300)).allowed).toBe(true);
  });

  test('a stored response is found from any instance, by its owner only, until deleted', async () => {
    const [a, b] = backend.responses;
    const value = { messages: [{ role: 'user' as const, content: 'hi' }], response: { id: 'resp_1' } };
    await a.put('alice', 'resp_1', value);
    expect(await b.get('alice', 'resp_1')).toEqual(value);
    expect(await b.get('bob', 'resp_1')).toBeUndefined();
    expect(await b.delete('bob', 'resp_1')).toBe(false);
    expect(await b.delete('alice', 'resp_1')).toBe(true);
    expect(await a.get('alice', 'resp_1')).toBeUndefined();
  });
});

function deployment(id: string, limits: Deployment['limits']): Deployment {
  return { id, limits } as Deployment;
}

describe('deployment limits across instances (Redis)', () => {
  let dispose: () => Promise<void>;
  let a: RedisGate;
  let b: RedisGate;
  beforeAll(async () => {
    const shared = await redisInstances(2);
    dispose = shared.dispose;
    a = new RedisGate(shared.instances[0]!, 400);
    b = new RedisGate(shared.instances[1]!, 400);
  });
  afterAll(async () => {
    a.stop();
    b.stop();
    await dispose();
  });

  test('a concurrency cap holds over both instances, and a release frees a slot for the other', async () => {
    const d = deployment('p/key#1/m', { concurrency: 2, timeoutMs: 1000, queueTimeoutMs: 100 });
    const first = await a.admit(d);
    const second = await b.admit(d);
    expect([first.wait, second.wait]).toEqual([0, 0]);
    expect((await b.admit(d)).wait).toBe(-1);
    first.release!();
    await sleep(20);
    const third = await b.admit(d);
    expect(third.wait).toBe(0);
    second.release!();
    third.release!();
  });

  test('leases renewed by a live instance stay; those of a stopped one expire within their TTL', async () => {
    const d = deployment('p/key#2/m', { concurrency: 1, timeoutMs: 1000, queueTimeoutMs: 100 });
    const held = await a.admit(d);
    expect(held.wait).toBe(0);
    await sleep(900); // more than two TTLs: kept by renewals
    expect((await b.admit(d)).wait).toBe(-1);
    a.stop(); // as if the instance died: no release, no more renewals
    await sleep(500);
    const taken = await b.admit(d);
    expect(taken.wait).toBe(0);
    taken.release!();
  });

  test('a per-second rate holds over both instances', async () => {
    const d = deployment('p/key#3/m', { rps: 3, timeoutMs: 1000, queueTimeoutMs: 100 });
    const waits = [];
    for (const gate of [a, b, a, b]) waits.push((await gate.admit(d)).wait);
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(0);
    expect(waits[3]).toBeLessThanOrEqual(1000 + 1000 / 60 + 1);
  });
});

test('with Redis unreachable, limits answer at once from this instance, and the outage is counted', async () => {
  const before = (await metrics.redisErrors.get()).values.reduce((n, v) => n + v.value, 0);
  const redis = await SharedRedis.connect('redis://127.0.0.1:1', 'nowhere', createLogger('silent'));
  expect(redis.up).toBe(false);
  const limiter = new RedisLimiter(redis);
  expect(limiter.take('ip:9', 1, 60_000)).toEqual({ allowed: true, retryAfterMs: 0 });
  expect(limiter.take('ip:9', 1, 60_000)).toMatchObject({ allowed: false });
  expect(
    await new RedisGate(redis).admit(deployment('x', { concurrency: 1, timeoutMs: 1, queueTimeoutMs: 1 })),
  ).toEqual({ wait: 0 });
  expect(await redis.ping()).toBe(false);
  const after = (await metrics.redisErrors.get()).values.reduce((n, v) => n + v.value, 0);
  expect(after).toBeGreaterThan(before);
  await redis.close();
});
