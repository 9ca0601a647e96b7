/**
 * Three gateway processes on one database and one Redis, as behind a load balancer: quota, rate limits, cooldowns
 * and revocations hold across them, and killing one under load loses no acknowledged usage log and no capacity.
 * Run on PostgreSQL and on MariaDB.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStore, type Store } from '../src/store/db.ts';
import { AdminClient } from './admin-client.ts';
import { type Cluster, startCluster } from './cluster.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

const PRICE = { input: 1000, output: 1000 }; // USD per 1M tokens: 500 quota units per token
const PROMPT = 'What is the capital of France?';
/**
 * What the mock bills for the prompt: one token more than the gateway estimates it at (characters / 4, and 3 per
 * message), so that every request costs more than was held for it, as real answers often do.
 */
const PROMPT_TOKENS = Math.ceil(PROMPT.length / 4) + 3 + 1;
const MAX_TOKENS = 10;
const COST = (PROMPT_TOKENS + MAX_TOKENS) * 500;

interface Answer {
  status: number;
  id: string;
  body: string;
}

async function chat(url: string, key: string, body: Record<string, unknown> = {}): Promise<Answer> {
  const res = await request(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: PROMPT }],
      max_tokens: MAX_TOKENS,
      ...body,
    }),
  });
  return { status: res.statusCode, id: String(res.headers['x-request-id']), body: await res.body.text() };
}

/** The same answer and usage every time: every request costs COST. */
const EXACT_ANSWER = {
  body: {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: PROMPT_TOKENS, completion_tokens: MAX_TOKENS, total_tokens: PROMPT_TOKENS + MAX_TOKENS },
  },
};

describe.each(['postgres', 'mysql'] as const)('three instances on %s and Redis', (engine) => {
  let mock: MockUpstream;
  let cluster: Cluster;
  let urls: string[];
  let root: AdminClient;
  let store: Store;

  beforeAll(async () => {
    mock = await startMockUpstream();
    cluster = await startCluster(engine, 3, {
      providers: [
        { name: 'pool', type: 'openai', base_url: `${mock.url}/v1`, keys: ['k1', 'k2'], models: ['gpt-4o-mini'] },
        {
          name: 'slow',
          type: 'openai',
          base_url: `${mock.url}/v1`,
          keys: ['s1'],
          models: ['slow-model'],
          limits: { concurrency: 3, queue_timeout: '200ms' },
        },
      ],
      routing: { lease_ttl: '2s', cooldown_on_429: '30s' },
      prices: { 'gpt-4o-mini': PRICE, 'slow-model': PRICE },
    });
    urls = cluster.instances.map((i) => i.url);
    root = await AdminClient.root(urls[0]!);
    store = await openStore(cluster.database.url);
    await sleep(3_000); // a new installation's Redis state settles first (quota is held in the database until then)
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await cluster?.stop();
    await mock?.close();
  }, 60_000);

  async function token(fields: Record<string, unknown>): Promise<{ id: number; key: string }> {
    const made = await root.call<{ id: number; key: string }>('POST', '/api/tokens', { name: 'load', ...fields });
    expect(made.status).toBe(201);
    return made.body;
  }

  /** Waits until every instance wrote what it queued: the used quota is then the usage logs' sum. */
  async function settled(tokenId: number): Promise<{ used: number; remain: number; logged: number; logs: number }> {
    let last = { used: -1, remain: 0, logged: 0, logs: 0 };
    for (let i = 0; i < 40; i++) {
      const row = await store.db
        .selectFrom('tokens')
        .select(['used_quota', 'remain_quota'])
        .where('id', '=', tokenId)
        .executeTakeFirstOrThrow();
      const logs = await store.db
        .selectFrom('usage_logs')
        .select((eb) => [eb.fn.sum<number>('quota').as('sum'), eb.fn.countAll<number>().as('n')])
        .where('token_id', '=', tokenId)
        .executeTakeFirstOrThrow();
      const now = {
        used: Number(row.used_quota),
        remain: Number(row.remain_quota),
        logged: Number(logs.sum ?? 0),
        logs: Number(logs.n),
      };
      if (now.used === last.used && now.logs === last.logs && now.used === now.logged) return now;
      last = now;
      await sleep(300);
    }
    return last;
  }

  test('a token with quota for exactly 100 requests, 300 at once over three instances: at most one more per instance', async () => {
    mock.setKeyBehaviour('k1', EXACT_ANSWER);
    mock.setKeyBehaviour('k2', EXACT_ANSWER);
    const quotaUsd = (100 * COST) / 500_000;
    const t = await token({ quota_usd: quotaUsd });
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => chat(urls[i % 3]!, t.key)));
    const ok = answers.filter((a) => a.status === 200).length;
    const refused = answers.filter((a) => a.status === 429);
    expect(ok + refused.length).toBe(300);
    // Holds fall short of the cost: near the end each instance lets one request run at a time, so the overspend is
    // at most one request per instance.
    expect(ok).toBeGreaterThanOrEqual(100);
    expect(ok).toBeLessThanOrEqual(103);
    expect(JSON.parse(refused[0]!.body)).toMatchObject({ error: { code: 'insufficient_quota' } });
    const after = await settled(t.id);
    expect(after.used).toBe(after.logged);
    expect(after.used).toBe(ok * COST);
    expect(after.remain).toBe(100 * COST - ok * COST);
    expect(after.logs).toBe(300); // refused requests are logged too, at no cost
    mock.setKeyBehaviour('k1', undefined);
    mock.setKeyBehaviour('k2', undefined);
  }, 60_000);

  test('a per-token limit of 60 rpm holds across the three instances', async () => {
    const t = await token({ quota_usd: null, rpm: 60 });
    let ok = 0;
    let refusedWait = 0;
    // 120 requests over about six seconds, round-robin over the instances.
    for (let wave = 0; wave < 12; wave++) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const res = await request(`${urls[i % 3]}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
          });
          await res.body.text();
          return { status: res.statusCode, retryAfter: Number(res.headers['retry-after'] ?? 0) };
        }),
      );
      for (const a of answers) {
        if (a.status === 200) ok++;
        else {
          expect(a.status).toBe(429);
          refusedWait = Math.max(refusedWait, a.retryAfter);
        }
      }
      await sleep(500);
    }
    expect(Math.abs(ok - 60)).toBeLessThanOrEqual(1); // within ±2% of 60
    expect(refusedWait).toBeGreaterThan(45); // the first of the 60 leaves the window only after a minute
  }, 60_000);

  test('a 429 seen by one instance makes the others skip that key for its cooldown', async () => {
    mock.setKeyBehaviour('k1', { status: 429, headers: { 'retry-after': '30' } });
    const t = await token({ quota_usd: null });
    const hitsOnK1 = (): number => mock.requests.filter((r) => r.key === 'k1').length;
    const before = hitsOnK1();
    for (let i = 0; i < 30 && hitsOnK1() === before; i++) {
      expect((await chat(urls[0]!, t.key)).status).toBe(200); // retried on k2
    }
    expect(hitsOnK1()).toBe(before + 1);
    await sleep(300);
    for (let i = 0; i < 20; i++) {
      expect((await chat(urls[1 + (i % 2)]!, t.key)).status).toBe(200);
    }
    expect(hitsOnK1()).toBe(before + 1);
    mock.setKeyBehaviour('k1', undefined);
  }, 60_000);

  test('a token revoked through one instance is refused by another within a second', async () => {
    const t = await token({ quota_usd: null });
    expect((await chat(urls[1]!, t.key)).status).toBe(200); // now cached on the second instance
    const revoked = await root.call('PUT', `/api/tokens/${t.id}`, { status: 'disabled' });
    expect(revoked.status).toBe(200);
    const at = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - at < 1_000) {
      status = (await chat(urls[1]!, t.key)).status;
      if (status === 200) await sleep(20);
    }
    expect(status).toBe(401);
  }, 30_000);

  test('a Responses API answer stored on one instance is continued on another', async () => {
    const t = await token({ quota_usd: null });
    const post = async (url: string, body: Record<string, unknown>) => {
      const res = await request(`${url}/v1/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', ...body }),
      });
      return { status: res.statusCode, body: (await res.body.json()) as { id: string } };
    };
    const first = await post(urls[0]!, { input: 'Remember the word "heron".' });
    expect(first.status).toBe(200);
    const before = mock.requests.length;
    const next = await post(urls[1]!, { input: 'Which word?', previous_response_id: first.body.id });
    expect(next.status).toBe(200);
    const sent = mock.requests[before]!.body as { messages: { content: unknown }[] };
    expect(JSON.stringify(sent.messages)).toContain('heron'); // the first turn, read from Redis by the other instance
  }, 30_000);

  test('an instance killed under load loses no acknowledged usage log, and its concurrency leases free', async () => {
    const t = await token({ quota_usd: null });
    // Three slow requests hold the slow model's three concurrency slots on the instance about to die.
    for (let i = 0; i < 3; i++) mock.enqueue({ delayMs: 30_000 }, { key: 's1' });
    const held = Array.from({ length: 3 }, () => chat(urls[2]!, t.key, { model: 'slow-model' }).catch(() => undefined));
    while (mock.requests.filter((r) => r.key === 's1').length < 3) await sleep(20);
    expect((await chat(urls[0]!, t.key, { model: 'slow-model' })).status).toBe(429); // full on every instance

    const acknowledged: string[] = [];
    let stop = false;
    const load = Array.from({ length: 8 }, async (_, w) => {
      while (!stop) {
        const stream = w % 2 === 1;
        const answer = await chat(urls[2]!, t.key, stream ? { stream: true } : {}).catch(() => undefined);
        // Acknowledged: the whole answer arrived (a stream through its [DONE]).
        if (answer?.status === 200 && (!stream || answer.body.includes('[DONE]'))) acknowledged.push(answer.id);
      }
    });
    await sleep(1_500);
    await cluster.kill(2);
    stop = true;
    await Promise.all(load);
    await Promise.allSettled(held);
    const killedAt = Date.now();
    expect(acknowledged.length).toBeGreaterThan(20);

    // Its leases expire (lease_ttl 2 s): the slow model takes three requests at once again, on another instance.
    let freedAfter = 0;
    for (;;) {
      const answers = await Promise.all(
        Array.from({ length: 3 }, (_, i) => chat(urls[i % 2]!, t.key, { model: 'slow-model' })),
      );
      if (answers.every((a) => a.status === 200)) {
        freedAfter = Date.now() - killedAt;
        break;
      }
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      await sleep(200);
    }
    expect(freedAfter).toBeLessThan(4_000);

    // Another instance writes the dead one's journal: every acknowledged request is in the usage logs.
    let missing: string[] = acknowledged;
    for (let i = 0; i < 50 && missing.length; i++) {
      const rows = await store.db
        .selectFrom('usage_logs')
        .select('request_id')
        .where('request_id', 'in', acknowledged)
        .execute();
      const found = new Set(rows.map((r) => r.request_id));
      missing = acknowledged.filter((id) => !found.has(id));
      if (missing.length) await sleep(200);
    }
    expect(missing).toEqual([]);
    const duplicates = await store.db
      .selectFrom('usage_logs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('request_id', 'in', acknowledged)
      .executeTakeFirstOrThrow();
    expect(Number(duplicates.n)).toBe(acknowledged.length);
  }, 60_000);
});
