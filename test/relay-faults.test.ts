import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

let mock: MockUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  mock = await startMockUpstream({ keys: ['up-1', 'up-2'] });
  gateway = await startGateway({
    routing: { retries: 2, cooldown_on_429: '30s', strategy: 'round-robin' },
    providers: [
      {
        name: 'mock',
        type: 'openai',
        base_url: `${mock.url}/v1`,
        keys: ['up-1', 'up-2'],
        models: ['gpt-4o-mini'],
        limits: { timeout: '300ms' },
      },
      {
        name: 'narrow',
        type: 'openai',
        base_url: `${mock.url}/v1`,
        keys: ['up-1'],
        models: ['narrow-model'],
        model_map: { 'narrow-model': 'gpt-4o-mini' },
        limits: { concurrency: 1, queue_timeout: '100ms' },
      },
    ],
  });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

beforeEach(() => {
  mock.reset();
  for (const key of ['mock/key#1', 'mock/key#2', 'narrow/key#1']) gateway.gw.keyHealth.enable(key);
});

const user = (content: string) => [{ role: 'user' as const, content }];
const ask = (content = 'hi', model = 'gpt-4o-mini') =>
  gateway.openai().chat.completions.create({ model, messages: user(content) });

/** Raw SSE text of a streamed chat request. */
async function rawStream(body: Record<string, unknown>): Promise<{ status: number; text: string }> {
  const res = await request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: user('a b c d e f'), stream: true, ...body }),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

describe('retry on the next deployment', () => {
  test('500 from one key: the next key answers and the client never sees the error', async () => {
    mock.enqueue({ status: 500 });
    const res = await ask('retry me');
    expect(res.choices[0]?.message.content).toBe('echo: retry me');
    expect(mock.requests.map((r) => r.status)).toEqual([500, 200]);
    expect(mock.requests[0]?.key).not.toBe(mock.requests[1]?.key);
  });

  test('429 cools the key down (honouring Retry-After) and later requests skip it', async () => {
    mock.enqueue({ status: 429, headers: { 'retry-after': '20' } });
    await ask();
    const cooled = mock.requests[0]!.key === 'up-1' ? 'mock/key#1' : 'mock/key#2';
    const until = gateway.gw.keyHealth.status(cooled).coolingUntil;
    expect(until).toBeGreaterThan(Date.now() + 15_000);
    expect(until).toBeLessThan(Date.now() + 25_000);
    mock.reset();
    for (let i = 0; i < 4; i++) await ask();
    expect(new Set(mock.requests.map((r) => r.key))).toEqual(new Set([mock.requests[0]!.key]));
  });

  test('401 from upstream takes that key out with the reason, and the other key serves', async () => {
    mock.setKeyBehaviour('up-2', { status: 401 });
    for (let i = 0; i < 4; i++) await ask();
    expect(gateway.gw.keyHealth.status('mock/key#2').disabledReason).toMatch(/401/);
    expect(mock.requests.filter((r) => r.key === 'up-2')).toHaveLength(1);
  });

  test('every deployment failing: 502 in OpenAI shape naming the upstream, no secret in it', async () => {
    mock.setKeyBehaviour('up-1', { status: 503 });
    mock.setKeyBehaviour('up-2', { status: 503 });
    const err = await ask().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502 });
    expect(String((err as Error).message)).toMatch(/mock/);
    expect(String((err as Error).message)).not.toMatch(/up-1|up-2/);
  });

  test('a 400 from upstream is the client’s problem: passed on, not retried', async () => {
    mock.enqueue({ status: 400, body: { error: { message: 'context too long', type: 'invalid_request_error' } } });
    const err = await ask().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400 });
    expect(String((err as Error).message)).toMatch(/context too long/);
    expect(mock.requests).toHaveLength(1);
  });

  test('an upstream that does not answer in time: retried, then 504', async () => {
    mock.enqueue({ hang: true });
    mock.enqueue({ hang: true });
    const err = await ask().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 504 });
    expect(mock.requests).toHaveLength(2);
  });

  test('a stream whose upstream fails before the first byte is retried', async () => {
    mock.enqueue({ status: 503 });
    const { status, text } = await rawStream({});
    expect(status).toBe(200);
    expect(text).toContain('echo');
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
  });
});

describe('streams after the first byte', () => {
  test('an upstream cut mid-stream ends the stream with an error event and [DONE]', async () => {
    mock.enqueue({ cutAfterChunks: 2 });
    const { status, text } = await rawStream({});
    expect(status).toBe(200);
    const events = text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const error = JSON.parse(events.at(-2)!.slice(6)) as { error: { message: string; type: string } };
    expect(error.error.type).toBe('upstream_error');
    expect(mock.requests).toHaveLength(1); // bytes were sent: no retry
  });

  test('the SDK surfaces that error event as an error', async () => {
    mock.enqueue({ cutAfterChunks: 2 });
    const stream = await gateway
      .openai()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: user('a b c d e'), stream: true });
    await expect(async () => {
      for await (const _ of stream);
    }).rejects.toThrow();
  });

  test('first chunk reaches the client before upstream sends the next', async () => {
    mock.enqueue({ chunkDelayMs: 300 });
    const started = Date.now();
    const res = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: user('a b c'), stream: true }),
    });
    for await (const chunk of res.body) {
      expect(String(chunk)).toContain('data: ');
      expect(Date.now() - started).toBeLessThan(250);
      break;
    }
    res.body.destroy();
  });

  test('a client that disconnects aborts the upstream request at once', async () => {
    mock.enqueue({ chunkDelayMs: 100 });
    const controller = new AbortController();
    const res = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      signal: controller.signal,
      headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        messages: user('one two three four five six seven eight'),
        stream: true,
      }),
    });
    for await (const _ of res.body) break;
    controller.abort();
    await mock.until(() => mock.aborted === 1, 1_000);
  });
});

describe('per-deployment concurrency', () => {
  test('over the limit, a request waits for the queue timeout and gets 429', async () => {
    mock.enqueue({ delayMs: 400 });
    const slow = ask('slow', 'narrow-model');
    await mock.until(() => mock.inFlight === 1);
    const err = await ask('second', 'narrow-model').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429 });
    await slow;
    expect(mock.requests.map((r) => r.body)).toMatchObject([{ messages: [{ content: 'slow' }] }]);
  });
});
