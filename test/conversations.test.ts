/**
 * Server-side conversations: the client sends only its new turn with a `conversation_id`; the gateway sends the model
 * the whole (trimmed) history and stores each completed turn, per token, in any inbound format.
 */
import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Conversations } from '../src/store/conversations.ts';
import { AdminClient } from './admin-client.ts';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';
import { dropInstallation, REDIS_URL } from './shared-redis.ts';
import { createTestDatabase, ENGINES, freshStore, type TestDatabase } from './stores.ts';

let mock: MockUpstream;
let gateway: RunningGateway;
let openai: OpenAI;

type WireMessage = { role: string; content: unknown };
const lastSent = (): WireMessage[] => (mock.requests.at(-1)!.body as { messages: WireMessage[] }).messages;
const texts = (messages: WireMessage[]): string[] =>
  messages.map((m) => `${m.role}: ${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}`);

/** A chat turn with a conversation id (a body field the SDK passes through). */
function turn(content: string, id: string, extra: Record<string, unknown> = {}) {
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content }], conversation_id: id, ...extra };
  return openai.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
}

beforeAll(async () => {
  mock = await startMockUpstream();
  gateway = await startGateway({
    providers: [
      { name: 'mock', type: 'openai', base_url: `${mock.url}/v1`, keys: ['up'], models: ['gpt-4o-mini', 'tiny-1'] },
    ],
    models: { context_windows: { tiny: 120 } },
  });
  openai = gateway.openai();
});

afterAll(async () => {
  await gateway?.close();
  await mock?.close();
});

describe('conversation_id', () => {
  test('the second turn reaches the model with the first turn and its answer before it', async () => {
    await turn('My name is Ada.', 'c-basic');
    const answer = await turn('What is my name?', 'c-basic');
    expect(answer.choices[0]!.message.content).toBe('echo: What is my name?');
    expect(texts(lastSent())).toEqual([
      'user: My name is Ada.',
      'assistant: echo: My name is Ada.',
      'user: What is my name?',
    ]);
  });

  test('the system prompt of the request goes first and is not stored as a turn', async () => {
    const system = { role: 'system', content: 'Be brief.' };
    await turn('one', 'c-system', { messages: [system, { role: 'user', content: 'one' }] });
    await turn('two', 'c-system', { messages: [system, { role: 'user', content: 'two' }] });
    expect(texts(lastSent())).toEqual(['system: Be brief.', 'user: one', 'assistant: echo: one', 'user: two']);
  });

  test('an Anthropic client continues with the X-Conversation-Id header a conversation an OpenAI client began', async () => {
    await turn('Remember: heron.', 'c-cross');
    const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const answer = await anthropic.messages.create(
      { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'Which bird?' }] },
      { headers: { 'x-conversation-id': 'c-cross' } },
    );
    expect(answer.content[0]).toMatchObject({ type: 'text', text: 'echo: Which bird?' });
    expect(texts(lastSent()).slice(0, 2)).toEqual(['user: Remember: heron.', 'assistant: echo: Remember: heron.']);
  });

  test('a streamed turn is stored once the stream completes; a stream that failed stores nothing', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'streamed words here' }],
      conversation_id: 'c-stream',
    } as unknown as OpenAI.ChatCompletionCreateParamsStreaming);
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('echo: streamed words here');

    mock.enqueue({ cutAfterChunks: 2 });
    const broken = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'this one breaks off' }],
      conversation_id: 'c-stream',
    } as unknown as OpenAI.ChatCompletionCreateParamsStreaming);
    await expect(
      (async () => {
        for await (const _ of broken);
      })(),
    ).rejects.toThrow();

    await turn('last', 'c-stream');
    expect(texts(lastSent())).toEqual([
      'user: streamed words here',
      'assistant: echo: streamed words here',
      'user: last',
    ]);
  });

  test("the history is trimmed to the model's context, oldest turns first, never the system prompt", async () => {
    const long = (n: number) => `turn ${n} ${'word '.repeat(40)}`;
    const system = { role: 'system', content: 'Keep me.' };
    for (let n = 1; n <= 4; n++) {
      await turn(long(n), 'c-trim', {
        model: 'tiny-1',
        max_tokens: 10,
        messages: [system, { role: 'user', content: long(n) }],
      });
    }
    const sent = texts(lastSent());
    expect(sent[0]).toBe('system: Keep me.');
    expect(sent.at(-1)).toContain('turn 4');
    expect(sent.some((t) => t.includes('turn 1'))).toBe(false); // dropped to fit 120 tokens
    expect(sent[1]!.startsWith('user:')).toBe(true); // whole turns go: the history starts with a user message
  });

  test('a conversation is listed, read and deleted by its token only', async () => {
    await turn('private words', 'c-owned');
    const root = await AdminClient.root(gateway.url);
    const other = await root.call<{ key: string }>('POST', '/api/tokens', { name: 'other' });
    const get = (path: string, key: string, method: 'GET' | 'DELETE' = 'GET') =>
      request(`${gateway.url}${path}`, { method, headers: { authorization: `Bearer ${key}` } }).then(async (r) => ({
        status: r.statusCode,
        body: (await r.body.json()) as Record<string, unknown>,
      }));

    const mine = await get('/v1/conversations/c-owned', CLIENT_KEY);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({
      id: 'c-owned',
      object: 'conversation',
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: 'private words' },
        { role: 'assistant', content: 'echo: private words' },
      ],
    });
    const listed = await get('/v1/conversations?limit=100', CLIENT_KEY);
    expect((listed.body.data as { id: string }[]).map((c) => c.id)).toContain('c-owned');

    expect((await get('/v1/conversations/c-owned', other.body.key)).status).toBe(404);
    expect((await get('/v1/conversations', other.body.key)).body.data).toEqual([]);
    expect((await get('/v1/conversations/c-owned', other.body.key, 'DELETE')).status).toBe(404);

    // The other token's own conversation of the same id is a different one.
    await gateway.openai(other.body.key).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'mine too' }],
      conversation_id: 'c-owned',
    } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(texts(lastSent())).toEqual(['user: mine too']);

    const deleted = await get('/v1/conversations/c-owned', CLIENT_KEY, 'DELETE');
    expect(deleted).toEqual({ status: 200, body: { id: 'c-owned', object: 'conversation.deleted', deleted: true } });
    expect((await get('/v1/conversations/c-owned', CLIENT_KEY)).status).toBe(404);
  });

  test('a bad conversation_id is a 400 naming it', async () => {
    const res = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], conversation_id: 42 }),
    });
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toMatchObject({ error: { param: 'conversation_id' } });
  });
});

describe.each(ENGINES)('conversation store on %s', (engine) => {
  test('appends in order, also from turns at once, and deletes', async () => {
    const store = await freshStore(engine);
    try {
      const conversations = new Conversations(store);
      const msg = (content: string) => ({ role: 'user' as const, content });
      await Promise.all(
        Array.from({ length: 6 }, (_, i) => conversations.append('t:1', 'c', 'm', [msg(`a${i}`), msg(`b${i}`)])),
      );
      const history = (await conversations.history('t:1', 'c'))!;
      expect(history).toHaveLength(12);
      for (let i = 0; i < 12; i += 2) {
        // Each turn's two messages stay together, whatever order the turns landed in.
        expect(String(history[i + 1]!.content)).toBe(`b${String(history[i]!.content).slice(1)}`);
      }
      expect(await conversations.summary('t:1', 'c')).toMatchObject({ id: 'c', messages: 12 });
      expect(await conversations.history('t:2', 'c')).toBeUndefined();
      expect(await conversations.delete('t:1', 'c')).toBe(true);
      expect(await conversations.history('t:1', 'c')).toBeUndefined();
    } finally {
      await store.dispose();
    }
  });
});

describe('conversations with Redis, across two instances', () => {
  let database: TestDatabase;
  const instances: RunningGateway[] = [];
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const config = {
      redis: REDIS_URL,
      providers: [{ name: 'mock', type: 'openai', base_url: `${mock.url}/v1`, keys: ['up'], models: ['gpt-4o-mini'] }],
    };
    instances.push(await startGateway(config, { databaseUrl: database.url }));
    instances.push(await startGateway(config, { databaseUrl: database.url }));
  });
  afterAll(async () => {
    const installId = instances[0]!.gw.shared!.redis.prefix.slice(4, -2);
    for (const i of instances) await i.close();
    await dropInstallation(installId);
    await database.drop();
  });

  test('a conversation begun on one instance continues on the other, cached and kept current', async () => {
    const say = (i: number, content: string) =>
      instances[i]!.openai().chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content }],
        conversation_id: 'c-shared',
      } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
    await say(0, 'first');
    await say(1, 'second');
    await say(0, 'third');
    expect(texts(lastSent())).toEqual([
      'user: first',
      'assistant: echo: first',
      'user: second',
      'assistant: echo: second',
      'user: third',
    ]);
  });
});
