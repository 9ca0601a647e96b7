import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { ConfigInput } from '../src/config/schema.ts';
import type { Gateway } from '../src/gateway.ts';
import { insertWithId } from '../src/store/db.ts';
import { keyHint, newTokenKey, tokenHash } from '../src/store/tokens.ts';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './stores.ts';

/** USD per 1M tokens: high, so that a few tokens cost a visible amount. */
const PRICE = { input: 100, output: 200 };

interface TokenSpec {
  quotaUsd?: number;
  expiresAt?: number;
  allowIps?: string[];
  status?: 'enabled' | 'disabled';
  userQuotaUsd?: number | null;
}

/** A user with one API token, written straight to the database; returns the token's key and ids. */
async function makeToken(gw: Gateway, spec: TokenSpec = {}): Promise<{ key: string; tokenId: number; userId: number }> {
  const now = Date.now();
  const userId = await insertWithId(gw.store, 'users', {
    username: `u-${Math.random().toString(36).slice(2)}`,
    display_name: '',
    password_hash: 'x',
    role: 'user',
    group_name: 'default',
    status: 'enabled',
    quota: spec.userQuotaUsd === undefined || spec.userQuotaUsd === null ? null : spec.userQuotaUsd * 500_000,
    email: null,
    access_token_hash: null,
    created_at: now,
    updated_at: now,
  });
  const key = newTokenKey();
  const tokenId = await insertWithId(gw.store, 'tokens', {
    user_id: userId,
    name: 'test token',
    key_hash: tokenHash(key),
    key_hint: keyHint(key),
    status: spec.status ?? 'enabled',
    unlimited_quota: spec.quotaUsd === undefined ? 1 : 0,
    remain_quota: Math.round((spec.quotaUsd ?? 0) * 500_000),
    expires_at: spec.expiresAt ?? null,
    models: null,
    allow_ips: spec.allowIps ? JSON.stringify(spec.allowIps) : null,
    rpm: null,
    tpm: null,
    source: 'db',
    created_at: now,
    accessed_at: null,
  });
  gw.keys.forget();
  return { key, tokenId, userId };
}

function chat(url: string, key: string, body: Record<string, unknown> = {}) {
  return request(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }], ...body }),
  });
}

async function costOf(url: string, requestId: string, key: string) {
  const res = await request(`${url}/api/cost/request/${requestId}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, number | string> };
}

describe.each(ENGINES)('billing on %s', (engine) => {
  let mock: MockUpstream;
  let database: TestDatabase;
  let gateway: RunningGateway;
  const config = (): ConfigInput => ({
    providers: [{ name: 'mock', type: 'openai', base_url: `${mock.url}/v1`, keys: ['up'], models: ['gpt-4o-mini'] }],
    prices: { 'gpt-4o-mini': PRICE },
  });

  beforeAll(async () => {
    mock = await startMockUpstream();
    database = await createTestDatabase(engine);
    gateway = await startGateway(config(), { databaseUrl: database.url });
  });
  afterAll(async () => {
    await gateway.close();
    await mock.close();
    await database.drop();
  });
  beforeEach(() => mock.reset());

  test('a request is billed from its usage: the log, the token, the user and /api/cost/request agree', async () => {
    const { key, tokenId, userId } = await makeToken(gateway.gw, { quotaUsd: 10, userQuotaUsd: 20 });
    const res = await chat(gateway.url, key);
    expect(res.statusCode).toBe(200);
    const answer = (await res.body.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    const requestId = res.headers['x-request-id'] as string;
    expect(res.headers['x-oneapi-request-id']).toBe(requestId);
    const { prompt_tokens: p, completion_tokens: c } = answer.usage;
    const usd = (p * PRICE.input + c * PRICE.output) / 1e6;
    const quota = Math.ceil(usd * 500_000);

    const cost = await costOf(gateway.url, requestId, key);
    expect(cost.status).toBe(200);
    expect(cost.body).toEqual({
      request_id: requestId,
      quota,
      cost_usd: expect.closeTo(usd, 9),
      prompt_tokens: p,
      completion_tokens: c,
      created_time: expect.any(Number),
    });
    const { db } = gateway.gw.store;
    const token = await db.selectFrom('tokens').selectAll().where('id', '=', tokenId).executeTakeFirstOrThrow();
    expect([token.used_quota, token.remain_quota]).toEqual([quota, 10 * 500_000 - quota]);
    const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
    expect([user.used_quota, user.quota, user.request_count]).toEqual([quota, 20 * 500_000 - quota, 1]);
    const log = await db
      .selectFrom('usage_logs')
      .selectAll()
      .where('request_id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(log).toMatchObject({
      token_id: tokenId,
      user_id: userId,
      channel: 'mock',
      model: 'gpt-4o-mini',
      status: 200,
      stream: 0,
    });
  });

  test("another key cannot read a request's cost", async () => {
    const { key } = await makeToken(gateway.gw);
    const res = await chat(gateway.url, key);
    await res.body.dump();
    const other = await costOf(gateway.url, res.headers['x-request-id'] as string, CLIENT_KEY);
    expect(other.status).toBe(404);
    expect(other.body).toMatchObject({ error: { code: 'request_not_found' } });
  });

  test('a token without enough quota gets 429 insufficient_quota, in the OpenAI and in the Anthropic format', async () => {
    const { key } = await makeToken(gateway.gw, { quotaUsd: 0.000002 });
    const res = await chat(gateway.url, key, { max_tokens: 1000 });
    expect(res.statusCode).toBe(429);
    expect(await res.body.json()).toMatchObject({ error: { type: 'insufficient_quota', code: 'insufficient_quota' } });
    const anthropic = await request(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(anthropic.statusCode).toBe(429);
    expect(await anthropic.body.json()).toMatchObject({ type: 'error', error: { type: expect.any(String) } });
    expect(mock.requests).toHaveLength(0);
    await gateway.gw.usage.flush();
    const log = await gateway.gw.store.db
      .selectFrom('usage_logs')
      .selectAll()
      .where('request_id', '=', res.headers['x-request-id'] as string)
      .executeTakeFirstOrThrow();
    expect(log).toMatchObject({ status: 429, quota: 0, channel: null, error: expect.stringMatching(/quota/) });
  });

  test("a user's empty balance refuses the request even when the token is unlimited", async () => {
    const { key } = await makeToken(gateway.gw, { userQuotaUsd: 0 });
    const res = await chat(gateway.url, key);
    expect(res.statusCode).toBe(429);
    await res.body.dump();
  });

  test('a stream the client leaves half-way is still billed for what was generated', async () => {
    const { key, tokenId } = await makeToken(gateway.gw, { quotaUsd: 10 });
    mock.enqueue({ chunks: 50, chunkDelayMs: 20, reply: 'word '.repeat(50) });
    const controller = new AbortController();
    const res = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'count' }] }),
      signal: controller.signal,
    });
    const requestId = res.headers['x-request-id'] as string;
    let received = 0;
    await expect(
      (async () => {
        for await (const chunk of res.body) {
          received += (chunk as Buffer).length;
          if (received > 600) controller.abort();
        }
      })(),
    ).rejects.toThrow();
    await expect
      .poll(async () => {
        await gateway.gw.usage.flush();
        return gateway.gw.store.db
          .selectFrom('usage_logs')
          .selectAll()
          .where('request_id', '=', requestId)
          .executeTakeFirst();
      })
      .toMatchObject({ token_id: tokenId, status: 499, stream: 1 });
    const log = await gateway.gw.store.db
      .selectFrom('usage_logs')
      .selectAll()
      .where('request_id', '=', requestId)
      .executeTakeFirstOrThrow();
    expect(log.completion_tokens).toBeGreaterThan(0);
    expect(log.completion_tokens).toBeLessThan(50);
    expect(log.quota).toBeGreaterThan(0);
  });

  test('an expired or disabled token is refused with 401, an address outside the allow-list with 403', async () => {
    const expired = await makeToken(gateway.gw, { expiresAt: Date.now() - 1000 });
    const disabled = await makeToken(gateway.gw, { status: 'disabled' });
    const elsewhere = await makeToken(gateway.gw, { allowIps: ['10.0.0.0/8', '2001:db8::/32'] });
    const inside = await makeToken(gateway.gw, { allowIps: ['127.0.0.0/8'] });
    for (const [key, status, message] of [
      [expired.key, 401, /expired/],
      [disabled.key, 401, /disabled/],
      [elsewhere.key, 403, /may not be used from/],
    ] as const) {
      const res = await chat(gateway.url, key);
      expect(res.statusCode).toBe(status);
      expect(((await res.body.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    const ok = await chat(gateway.url, inside.key);
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
  });

  test('two instances on one database cannot both spend the last of a balance', async () => {
    const second = await startGateway(config(), { databaseUrl: database.url });
    try {
      // Enough for one request of this size, not two.
      const estimate = Math.ceil((((20 + 1000 * 2) * PRICE.input) / 1e6) * 500_000);
      const { key } = await makeToken(gateway.gw, { quotaUsd: (estimate * 1.5) / 500_000 });
      const answers = await Promise.all(
        [gateway, second].map(async (g) => {
          const res = await chat(g.url, key, { max_tokens: 1000 });
          await res.body.dump();
          return res.statusCode;
        }),
      );
      expect(answers.sort()).toEqual([200, 429]);
    } finally {
      await second.close();
    }
  });
});
