/**
 * Redis going away and coming back empty, under two gateways on one PostgreSQL database: requests keep being served
 * (limits per instance, quota reserved in the database), nothing hangs, and once Redis is back the shared counters
 * are made again from the database without giving away free quota.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ConfigInput } from '../src/config/schema.ts';
import { openStore, type Store } from '../src/store/db.ts';
import { AdminClient } from './admin-client.ts';
import { type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';
import { createTestDatabase, type TestDatabase } from './stores.ts';

const PORT = 30_000 + Math.floor(Math.random() * 10_000);
const PRICE = { input: 1000, output: 1000 };
const PROMPT = 'hello there';
/** The mock bills what the gateway estimates (6 prompt tokens, 10 completion), at 500 quota units a token. */
const COST = (6 + 10) * 500;

let redis: ChildProcess | undefined;
let mock: MockUpstream;
let database: TestDatabase;
let store: Store;
let gateways: RunningGateway[] = [];

async function startRedis(): Promise<void> {
  redis = spawn('redis-server', ['--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  redis.stdout!.on('data', (d: Buffer) => {
    out += d;
  });
  while (!out.includes('Ready to accept connections')) await sleep(20);
}

async function stopRedis(): Promise<void> {
  if (!redis || redis.exitCode !== null) return;
  const exited = once(redis, 'exit');
  redis.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  await startRedis();
  mock = await startMockUpstream();
  const body = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hi.' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 6, completion_tokens: 10, total_tokens: 16 },
  };
  mock.setKeyBehaviour('up', { body });
  database = await createTestDatabase('postgres');
  const config: ConfigInput = {
    auth: { keys: [] },
    redis: `redis://127.0.0.1:${PORT}`,
    providers: [{ name: 'mock', type: 'openai', base_url: `${mock.url}/v1`, keys: ['up'], models: ['gpt-4o-mini'] }],
    prices: { 'gpt-4o-mini': PRICE },
  };
  gateways.push(await startGateway(config, { databaseUrl: database.url }));
  gateways.push(await startGateway(config, { databaseUrl: database.url }));
  store = await openStore(database.url);
}, 30_000);

afterAll(async () => {
  for (const g of gateways) await g.close();
  gateways = [];
  await store?.close();
  await database?.drop();
  await mock?.close();
  await stopRedis();
}, 30_000);

async function chat(url: string, key: string): Promise<number> {
  const res = await request(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }], max_tokens: 10 }),
  });
  await res.body.text();
  return res.statusCode;
}

test('Redis lost and back empty: served throughout, and the balance is spent exactly once', async () => {
  const root = await AdminClient.root(gateways[0]!.url);
  const made = await root.call<{ id: number; key: string }>('POST', '/api/tokens', {
    name: 'outage',
    quota_usd: (20 * COST) / 500_000,
  });
  expect(made.status).toBe(201);
  const { key, id } = made.body;
  const urls = gateways.map((g) => g.url);
  let ok = 0;
  const send = async (n: number): Promise<void> => {
    const statuses = await Promise.all(Array.from({ length: n }, (_, i) => chat(urls[i % 2]!, key)));
    for (const s of statuses) {
      expect([200, 429]).toContain(s);
      if (s === 200) ok++;
    }
  };

  await sleep(2_600); // a new installation's counters are made once Redis state has settled
  await send(6);
  expect(ok).toBe(6);

  await stopRedis();
  await send(6); // served all the same: quota reserved in the database
  expect(ok).toBe(12);
  const ready = await request(`${urls[1]}/readyz`);
  expect(ready.statusCode).toBe(200);
  expect(await ready.body.json()).toEqual({ status: 'ready', redis: 'down' });
  const scraped = await (await request(`${urls[0]}/metrics`)).body.text();
  expect(scraped).toMatch(/^switchyard_redis_up 0$/m);
  expect(scraped).toMatch(/^switchyard_limit_fallbacks_total\{kind="quota"\} [1-9]/m);

  await startRedis(); // empty: every counter and journal it had is gone
  for (let i = 0; i < 100 && !gateways.every((g) => g.gw.shared!.redis.up); i++) await sleep(50);
  await send(8); // the rest of the balance, in whichever mode each instance is
  await sleep(3_000);
  await send(10); // counters made again from the database: nothing left to spend
  expect(ok).toBe(20);

  await Promise.all(gateways.map((g) => g.gw.usage.flush()));
  const row = await store.db
    .selectFrom('tokens')
    .select(['used_quota', 'remain_quota'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  expect([Number(row.used_quota), Number(row.remain_quota)]).toEqual([20 * COST, 0]);
}, 60_000);
