/**
 * With Redis, a client that saw the end of its answer was billed and logged: the stream's closing event (`[DONE]`,
 * `message_stop`) and a non-stream body go out only once the usage log is journaled in Redis (or already written).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';
import { dropInstallation, REDIS_URL } from './shared-redis.ts';
import { createTestDatabase, type TestDatabase } from './stores.ts';

let mock: MockUpstream;
let database: TestDatabase;
let gateway: RunningGateway;

beforeAll(async () => {
  mock = await startMockUpstream();
  database = await createTestDatabase('sqlite');
  gateway = await startGateway(
    {
      redis: REDIS_URL,
      providers: [{ name: 'mock', type: 'openai', base_url: `${mock.url}/v1`, keys: ['up'], models: ['gpt-4o-mini'] }],
      models: {
        virtual: [
          { name: 'pair', type: 'ensemble', members: ['gpt-4o-mini', 'gpt-4o-mini'], summarizer: 'gpt-4o-mini' },
        ],
      },
    },
    { databaseUrl: database.url },
  );
  // A slow Redis: journaling takes 50 ms (150 for a virtual model's calls), so an answer that ended before its logs
  // were journaled would be caught.
  const { ledger } = gateway.gw.shared!;
  const record = ledger.record.bind(ledger);
  ledger.record = async (...args) => {
    await sleep(args[0].log.parent_request_id ? 150 : 50); // a virtual model's calls the slowest
    return record(...args);
  };
});

afterAll(async () => {
  const installId = gateway.gw.shared!.redis.prefix.slice(4, -2);
  await gateway?.close();
  await dropInstallation(installId);
  await database?.drop();
  await mock?.close();
});

/** Whether the request's usage log is safe: in this instance's Redis journal, or already in the database. */
async function recorded(requestId: string): Promise<boolean> {
  const { redis } = gateway.gw.shared!;
  if (await redis.client.hexists(redis.key(`journal:${redis.instance}`), requestId)) return true;
  const row = await gateway.gw.store.db
    .selectFrom('usage_logs')
    .select('request_id')
    .where('request_id', '=', requestId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Reads a stream only until `closing` arrives, and says whether the log was recorded at that moment. */
async function recordedAtClosing(path: string, body: Record<string, unknown>, closing: string): Promise<boolean> {
  const res = await request(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-client-test', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.statusCode).toBe(200);
  const id = String(res.headers['x-request-id']);
  let text = '';
  for await (const chunk of res.body) {
    text += chunk;
    if (text.includes(closing)) break;
  }
  expect(text).toContain(closing);
  return recorded(id);
}

test('an OpenAI stream passed through sends [DONE] only after its usage log is journaled', async () => {
  const body = { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'one two three' }] };
  for (let i = 0; i < 5; i++) expect(await recordedAtClosing('/v1/chat/completions', body, '[DONE]')).toBe(true);
});

test('an Anthropic stream converted from OpenAI sends message_stop only after its usage log is journaled', async () => {
  const body = {
    model: 'gpt-4o-mini',
    max_tokens: 50,
    stream: true,
    messages: [{ role: 'user', content: 'one two three' }],
  };
  for (let i = 0; i < 5; i++) expect(await recordedAtClosing('/v1/messages', body, 'message_stop')).toBe(true);
});

test('a non-stream answer is sent only after its usage log is journaled', async () => {
  for (let i = 0; i < 5; i++) {
    const res = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-client-test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.body.text();
    expect(await recorded(String(res.headers['x-request-id']))).toBe(true);
  }
});

test("a virtual model's answer ends only once the usage logs of all its calls are journaled too", async () => {
  const res = await request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-client-test', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'pair', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.body.text();
  const parent = String(res.headers['x-request-id']);
  const { redis } = gateway.gw.shared!;
  const journaled = Object.values(await redis.client.hgetall(redis.key(`journal:${redis.instance}`))).filter((text) =>
    text.includes(`"parent_request_id":"${parent}"`),
  ).length;
  const written = await gateway.gw.store.db
    .selectFrom('usage_logs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('parent_request_id', '=', parent)
    .executeTakeFirstOrThrow();
  expect(journaled + Number(written.n)).toBe(3); // two members and the summary
});
