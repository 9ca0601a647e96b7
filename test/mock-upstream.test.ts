import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { providerSchema } from '../src/config/schema.ts';
import { azure } from '../src/providers/azure/index.ts';
import { ollama } from '../src/providers/ollama/index.ts';
import type { Target } from '../src/providers/types.ts';
import { collect, type MockUpstream, startMockUpstream } from './mock-upstream.ts';

let mock: MockUpstream;

beforeAll(async () => {
  mock = await startMockUpstream({ keys: ['sk-good-1', 'sk-good-2'], deployments: ['gpt4o-prod'] });
});
afterEach(() => mock.reset());
afterAll(() => mock.close());

async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = { authorization: 'Bearer sk-good-1' },
) {
  const res = await request(mock.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

const sse = (text: string): unknown[] =>
  text
    .split('\n\n')
    .filter((f) => f.startsWith('data: ') && f !== 'data: [DONE]')
    .map((f) => JSON.parse(f.slice(6)));

const ndjson = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

const hello = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there world' }] };
const weather = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];

describe('OpenAI dialect', () => {
  test('a chat answer echoes the last user text with word-count usage', async () => {
    const res = await post('/v1/chat/completions', {
      ...hello,
      messages: [{ role: 'system', content: 'be nice' }, ...hello.messages],
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'echo: hello there world' }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
    });
    expect(mock.requests).toMatchObject([
      { method: 'POST', path: '/v1/chat/completions', key: 'sk-good-1', dialect: 'openai', model: 'gpt-4o-mini' },
    ]);
  });

  test('a stream sends one chunk per word and a usage chunk only when asked, usage null before it', async () => {
    const plain = sse((await post('/v1/chat/completions', { ...hello, stream: true })).text);
    expect(plain).toHaveLength(1 + 4 + 1);
    expect(plain.every((c) => !Object.hasOwn(c as object, 'usage'))).toBe(true);

    const res = await post('/v1/chat/completions', { ...hello, stream: true, stream_options: { include_usage: true } });
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(res.text.endsWith('data: [DONE]\n\n')).toBe(true);
    const chunks = sse(res.text) as {
      choices: { delta?: { content?: string }; finish_reason: string | null }[];
      usage: unknown;
    }[];
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? null).join('')).toBe('echo: hello there world');
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 4 } });
  });

  test('"call <tool> {json}" with tools offered answers a tool call', async () => {
    const ask = {
      ...hello,
      tools: weather,
      messages: [{ role: 'user', content: 'please call get_weather {"city": "Paris"}' }],
    };
    const body = JSON.parse((await post('/v1/chat/completions', ask)).text);
    expect(body.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        content: null,
        tool_calls: [
          { id: 'call_mock_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
    });
    const chunks = sse((await post('/v1/chat/completions', { ...ask, stream: true })).text) as {
      choices: {
        delta: { tool_calls?: { function: { name?: string; arguments?: string } }[] };
        finish_reason: string | null;
      }[];
    }[];
    expect(chunks[0]?.choices[0]?.delta.tool_calls?.[0]?.function.name).toBe('get_weather');
    expect(chunks.map((c) => c.choices[0]?.delta.tool_calls?.[0]?.function.arguments ?? '').join('')).toBe(
      '{"city":"Paris"}',
    );
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  test('after a tool result the answer quotes it', async () => {
    const body = JSON.parse(
      (
        await post('/v1/chat/completions', {
          ...hello,
          tools: weather,
          messages: [
            { role: 'user', content: 'call get_weather' },
            {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
            },
            { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
          ],
        })
      ).text,
    );
    expect(body.choices[0].message.content).toBe('tool result: sunny');
  });

  test('completions, embeddings (float and base64) and the model list', async () => {
    const completion = JSON.parse((await post('/v1/completions', { model: 'gpt-4o-mini', prompt: 'say this' })).text);
    expect(completion).toMatchObject({
      object: 'text_completion',
      choices: [{ text: 'echo: say this', finish_reason: 'stop' }],
    });

    const floats = JSON.parse(
      (await post('/v1/embeddings', { model: 'gpt-4o-mini', input: ['a b', 'c'], dimensions: 4 })).text,
    );
    expect(floats.data).toHaveLength(2);
    expect(floats.data[0].embedding).toHaveLength(4);
    expect(floats.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const b64 = JSON.parse(
      (
        await post('/v1/embeddings', {
          model: 'gpt-4o-mini',
          input: ['a b', 'c'],
          dimensions: 4,
          encoding_format: 'base64',
        })
      ).text,
    );
    const buf = Buffer.from(b64.data[0].embedding, 'base64');
    expect([0, 1, 2, 3].map((i) => buf.readFloatLE(i * 4))).toEqual(floats.data[0].embedding);

    const models = await request(`${mock.url}/v1/models`, { headers: { authorization: 'Bearer sk-good-2' } });
    expect(((await models.body.json()) as { data: { id: string }[] }).data.map((m) => m.id)).toContain('gpt-4o-mini');
  });

  test('a wrong key gets a 401 in OpenAI shape', async () => {
    const res = await post('/v1/chat/completions', hello, { authorization: 'Bearer sk-wrong-key-123' });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text)).toEqual({
      error: {
        message: expect.stringContaining('Incorrect API key'),
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
    expect(res.text).not.toContain('sk-wrong-key-123');
  });
});

describe('Azure dialect', () => {
  const path = '/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21';

  test('a deployment answers with content filter results; the stream opens with prompt_filter_results', async () => {
    const res = await post(path, { messages: hello.messages }, { 'api-key': 'sk-good-1' });
    expect(JSON.parse(res.text)).toMatchObject({
      model: 'gpt4o-prod',
      prompt_filter_results: [{ prompt_index: 0 }],
      choices: [{ message: { content: 'echo: hello there world' }, content_filter_results: {} }],
    });
    expect(mock.requests[0]).toMatchObject({
      query: { 'api-version': '2024-10-21' },
      key: 'sk-good-1',
      dialect: 'azure',
    });
    const chunks = sse((await post(path, { messages: hello.messages, stream: true }, { 'api-key': 'sk-good-1' })).text);
    expect(chunks[0]).toMatchObject({ choices: [], prompt_filter_results: [{ prompt_index: 0 }] });
  });

  test('unknown deployment, missing api-version and a bearer key fail as Azure fails', async () => {
    const missing = await post(
      '/openai/deployments/nope/chat/completions?api-version=2024-10-21',
      { messages: hello.messages },
      { 'api-key': 'sk-good-1' },
    );
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).error.code).toBe('DeploymentNotFound');
    const noVersion = await post(
      '/openai/deployments/gpt4o-prod/chat/completions',
      { messages: hello.messages },
      { 'api-key': 'sk-good-1' },
    );
    expect(noVersion.status).toBe(404);
    const bearer = await post(path, { messages: hello.messages });
    expect(bearer.status).toBe(401);
    expect(JSON.parse(bearer.text).error.code).toBe('401');
  });
});

describe('Ollama dialect', () => {
  test('/api/chat streams NDJSON by default and ends with a done line carrying counts', async () => {
    const res = await post('/api/chat', {
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'why sky' }],
      think: true,
    });
    expect(res.headers['content-type']).toBe('application/x-ndjson');
    const lines = ndjson(res.text);
    const messages = lines.map((l) => l.message as { content: string; thinking?: string });
    expect(messages.map((m) => m.thinking ?? '').join('')).toBe('thinking about: why sky');
    expect(messages.map((m) => m.content).join('')).toBe('echo: why sky');
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop', prompt_eval_count: 2, eval_count: 7 });
  });

  test('tool calls carry object arguments; stream:false answers one object', async () => {
    const res = await post('/api/chat', {
      model: 'llama3.2',
      stream: false,
      tools: weather,
      messages: [{ role: 'user', content: 'call get_weather {"city":"Tokyo"}' }],
    });
    expect(JSON.parse(res.text)).toMatchObject({
      done: true,
      message: { tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Tokyo' } } }] },
    });
  });

  test('/api/generate, /api/embed and /api/tags', async () => {
    const gen = JSON.parse((await post('/api/generate', { model: 'llama3.2', prompt: 'go on', stream: false })).text);
    expect(gen).toMatchObject({ response: 'echo: go on', done: true, prompt_eval_count: 2, eval_count: 3 });
    const lines = ndjson((await post('/api/generate', { model: 'llama3.2', prompt: 'go on' })).text);
    expect(lines.map((l) => l.response).join('')).toBe('echo: go on');
    const embed = JSON.parse((await post('/api/embed', { model: 'all-minilm', input: ['a', 'b c'] })).text);
    expect(embed.embeddings).toHaveLength(2);
    expect(embed.prompt_eval_count).toBe(3);
    const tags = await request(`${mock.url}/api/tags`, { headers: { authorization: 'Bearer sk-good-1' } });
    expect(((await tags.body.json()) as { models: unknown[] }).models.length).toBeGreaterThan(0);
  });
});

describe('fault injection', () => {
  test('a queued fault filtered by key hits only that key, once, with its headers', async () => {
    mock.enqueue({ status: 429, headers: { 'retry-after': '2' } }, { key: 'sk-good-2' });
    expect((await post('/v1/chat/completions', hello)).status).toBe(200);
    const limited = await post('/v1/chat/completions', hello, { authorization: 'Bearer sk-good-2' });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    expect(JSON.parse(limited.text).error.code).toBe('rate_limit_exceeded');
    expect((await post('/v1/chat/completions', hello, { authorization: 'Bearer sk-good-2' })).status).toBe(200);
    expect(mock.pending).toBe(0);
  });

  test('faults queue in order; path filters; Ollama errors are Ollama-shaped', async () => {
    mock.enqueue({ status: 500 }, { path: '/api/chat' });
    mock.enqueue({ status: 503 });
    expect((await post('/v1/chat/completions', hello)).status).toBe(503);
    const ollamaFail = await post('/api/chat', { model: 'x', messages: [] });
    expect(ollamaFail.status).toBe(500);
    expect(JSON.parse(ollamaFail.text)).toEqual({ error: expect.any(String) });
  });

  test('a per-key behaviour applies to every request with that key', async () => {
    mock.setKeyBehaviour('sk-good-2', { status: 401 });
    for (let i = 0; i < 2; i++) {
      expect((await post('/v1/chat/completions', hello, { authorization: 'Bearer sk-good-2' })).status).toBe(401);
    }
    mock.setKeyBehaviour('sk-good-2', undefined);
    expect((await post('/v1/chat/completions', hello, { authorization: 'Bearer sk-good-2' })).status).toBe(200);
  });

  test('reply, chunks and finishReason shape the answer', async () => {
    mock.enqueue({ reply: 'abcdefghij', chunks: 5, finishReason: 'length' });
    const chunks = sse((await post('/v1/chat/completions', { ...hello, stream: true })).text) as {
      choices: { delta: { content?: string }; finish_reason: string | null }[];
    }[];
    expect(chunks.slice(1, -1).map((c) => c.choices[0]?.delta.content)).toEqual(['ab', 'cd', 'ef', 'gh', 'ij']);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('length');
  });

  test('cutAfterChunks breaks the connection mid-stream without counting as a client abort', async () => {
    mock.enqueue({ cutAfterChunks: 2 });
    const res = await request(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-good-1' },
      body: JSON.stringify({ ...hello, stream: true }),
    });
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    await mock.until(() => mock.inFlight === 0);
    expect(mock.aborted).toBe(0);
  });

  test('errorAfterChunks ends the stream with the upstream in-stream error', async () => {
    mock.enqueue({ errorAfterChunks: 1, errorMessage: 'boom' }, { path: '/api/chat' });
    const lines = ndjson((await post('/api/chat', { model: 'x', messages: [{ role: 'user', content: 'a b' }] })).text);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toEqual({ error: 'boom' });
  });

  test('a hanging request is counted as aborted when the client gives up', async () => {
    mock.enqueue({ hang: true });
    await expect(
      request(`${mock.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-good-1' },
        body: JSON.stringify(hello),
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow();
    await mock.until(() => mock.aborted === 1);
    expect(mock.requests[0]?.aborted).toBe(true);
    expect(mock.inFlight).toBe(0);
  });

  test('delayed requests overlap: maxInFlight sees them together', async () => {
    for (let i = 0; i < 3; i++) mock.enqueue({ delayMs: 100 });
    const started = Date.now();
    const results = await Promise.all([1, 2, 3].map(() => post('/v1/chat/completions', hello)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(mock.maxInFlight).toBe(3);
  });

  /** A chat stream the test reads (and gives up on) itself. */
  const openStream = (signal: AbortSignal) =>
    request(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-good-1' },
      body: JSON.stringify({ ...hello, stream: true }),
      signal,
    });

  test('a client that disconnects mid-stream is counted as aborted', async () => {
    mock.enqueue({ chunkDelayMs: 50 });
    const controller = new AbortController();
    const res = await openStream(controller.signal);
    for await (const _ of res.body) {
      controller.abort();
      break;
    }
    await mock.until(() => mock.aborted === 1);
    expect(mock.requests[0]?.closedAt).toBeGreaterThan(0);
  });

  test('resetBeforeHeaders destroys the connection instead of answering', async () => {
    mock.enqueue({ resetBeforeHeaders: true });
    await expect(post('/v1/chat/completions', hello)).rejects.toThrow();
    await mock.until(() => mock.inFlight === 0);
    expect(mock.aborted).toBe(0);
  });

  test('stallAfterChunks sends some messages, then nothing, until the client gives up', async () => {
    mock.enqueue({ stallAfterChunks: 2 });
    const controller = new AbortController();
    const res = await openStream(controller.signal);
    let text = '';
    const chunks = res.body[Symbol.asyncIterator]();
    while (sse(text).length < 2) text += String((await chunks.next()).value);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(mock.requests[0]?.sent).toBe(2);
    expect(mock.inFlight).toBe(1);
    controller.abort();
    await mock.until(() => mock.aborted === 1);
  });

  test('truncateAfterChunks ends the response after half of the next message; endAfterChunks before it', async () => {
    mock.enqueue({ truncateAfterChunks: 1 });
    const cut = (await post('/v1/chat/completions', { ...hello, stream: true })).text;
    const [first, half] = cut.split('\n\n');
    expect(JSON.parse(first!.slice(6))).toMatchObject({ object: 'chat.completion.chunk' });
    expect(() => JSON.parse(half!.slice(6))).toThrow();
    mock.enqueue({ endAfterChunks: 1 });
    const short = (await post('/v1/chat/completions', { ...hello, stream: true })).text;
    expect(short.split('\n\n')).toEqual([expect.stringMatching(/^data: \{.*\}$/), '']); // one whole event, no more
  });

  test('message-level faults cut a whole answer into its halves', async () => {
    mock.enqueue({ truncateAfterChunks: 1 });
    const text = (await post('/v1/chat/completions', hello)).text;
    expect(() => JSON.parse(text)).toThrow();
    expect(text.length).toBeGreaterThan(JSON.stringify({ choices: [] }).length);
    mock.enqueue({ chunkDelayMs: 20 });
    expect(JSON.parse((await post('/v1/chat/completions', hello)).text)).toMatchObject({ object: 'chat.completion' });
    expect(mock.requests.at(-1)?.sent).toBe(2);
  });

  test('connections counts the open TCP connections, idle keep-alive ones included', async () => {
    const { Agent } = await import('undici');
    const agent = new Agent();
    const before = mock.connections;
    await request(`${mock.url}/v1/models`, { dispatcher: agent, headers: { authorization: 'Bearer sk-good-1' } }).then(
      (r) => r.body.text(),
    );
    expect(mock.connections).toBe(before + 1);
    await agent.close();
    await mock.until(() => mock.connections === before);
  });
});

describe('the providers understand the mock', () => {
  async function* body(url: string, call: { headers: Record<string, string>; body?: string }) {
    const res = await request(url, { method: 'POST', headers: call.headers, body: call.body ?? '' });
    expect(res.statusCode).toBe(200);
    for await (const chunk of res.body) yield chunk as Uint8Array;
  }

  function target(type: 'azure' | 'ollama', upstreamModel: string): Target {
    const provider = providerSchema.parse({ name: type, type, base_url: mock.url });
    return { baseUrl: mock.url, key: 'sk-good-1', upstreamModel, provider };
  }

  test('azure: encode, send, decode the stream', async () => {
    const t = target('azure', 'gpt4o-prod');
    const call = azure.chat.encode(
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi you' }], stream: true, includeUsage: true },
      t,
    );
    const got = await collect(azure.chat.decodeStream!(body(call.url, call), t));
    expect(got).toEqual([
      { type: 'text', text: 'echo: ' },
      { type: 'text', text: 'hi ' },
      { type: 'text', text: 'you' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 2, completionTokens: 3, totalTokens: 5 } },
    ]);
  });

  test('ollama: a streamed tool call round trip', async () => {
    const t = target('ollama', 'llama3.2');
    const call = ollama.chat.encode(
      {
        model: 'llama',
        messages: [{ role: 'user', content: 'call get_weather {"city":"Oslo"}' }],
        stream: true,
        includeUsage: false,
        tools: [{ name: 'get_weather', parameters: { type: 'object' } }],
      },
      t,
    );
    const got = await collect(ollama.chat.decodeStream!(body(call.url, call), t));
    expect(got).toEqual([
      { type: 'tool_call_start', index: 0, id: expect.stringMatching(/^call_/), name: 'get_weather' },
      { type: 'tool_call_delta', index: 0, arguments: '{"city":"Oslo"}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 } },
    ]);
  });
});
