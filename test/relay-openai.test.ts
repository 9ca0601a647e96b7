import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

let mock: MockUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  mock = await startMockUpstream({ keys: ['up-1', 'up-2'] });
  gateway = await startGateway({
    auth: { keys: [CLIENT_KEY, { key: 'sk-limited', name: 'limited', models: ['gpt-4o-mini'], rpm: 2 }] },
    routing: { retries: 2, cooldown_on_429: '30s' },
    providers: [
      {
        name: 'mock',
        type: 'openai',
        base_url: `${mock.url}/v1`,
        keys: ['up-1', 'up-2'],
        models: ['gpt-4o-mini', 'text-embedding-3-small'],
        model_map: { 'gpt-4o': 'gpt-4o-mini' },
      },
    ],
    models: { aliases: { fast: 'gpt-4o-mini' } },
  });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

beforeEach(() => {
  mock.reset();
  for (const key of ['mock/key#1', 'mock/key#2']) gateway.gw.keyHealth.enable(key);
});

const user = (content: string) => [{ role: 'user' as const, content }];

describe('chat completions through the official SDK', () => {
  test('non-stream answer, with request ids on the response', async () => {
    const { data, response } = await gateway
      .openai()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: user('hello there') })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('echo: hello there');
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-oneapi-request-id')).toBe(response.headers.get('x-request-id'));
  });

  test('model_map and aliases reach upstream under the upstream name', async () => {
    await gateway.openai().chat.completions.create({ model: 'gpt-4o', messages: user('a') });
    await gateway.openai().chat.completions.create({ model: 'fast', messages: user('b') });
    expect(mock.requests.map((r) => r.model)).toEqual(['gpt-4o-mini', 'gpt-4o-mini']);
  });

  test('stream: text arrives in chunks; no usage chunk unless asked, though upstream was asked for it', async () => {
    const stream = await gateway
      .openai()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: user('one two three'), stream: true });
    let text = '';
    let usageChunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usageChunks++;
    }
    expect(text).toBe('echo: one two three');
    expect(usageChunks).toBe(0);
    expect(mock.requests[0]?.body).toMatchObject({ stream_options: { include_usage: true } });
  });

  test('stream with include_usage: the usage chunk is relayed', async () => {
    const stream = await gateway.openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: user('count these words'),
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: { prompt_tokens: number } | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage?.prompt_tokens).toBe(3);
  });

  test('tools: a tool call comes back, stream and not', async () => {
    const tools = [
      { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } },
    ];
    const res = await gateway
      .openai()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: user('call get_weather {"city":"Oslo"}'), tools });
    expect(res.choices[0]?.finish_reason).toBe('tool_calls');
    const call = res.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Oslo' });

    const stream = await gateway
      .openai()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: user('call get_weather'), tools, stream: true });
    const names: string[] = [];
    for await (const chunk of stream)
      for (const c of chunk.choices[0]?.delta.tool_calls ?? []) if (c.function?.name) names.push(c.function.name);
    expect(names).toEqual(['get_weather']);
  });

  test('vision parts, response_format and unknown fields reach upstream unchanged', async () => {
    const messages = [
      {
        role: 'user' as const,
        content: [
          { type: 'text' as const, text: 'what is this' },
          {
            type: 'image_url' as const,
            image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' as const },
          },
        ],
      },
    ];
    await gateway.openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      response_format: { type: 'json_object' },
      // @ts-expect-error: a provider-specific field the SDK does not model
      top_k: 5,
    });
    const body = mock.requests[0]?.body as Record<string, unknown>;
    expect(body.messages).toEqual(messages);
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.top_k).toBe(5);
  });
});

describe('completions, embeddings and models', () => {
  test('legacy completions', async () => {
    const res = await gateway.openai().completions.create({ model: 'gpt-4o-mini', prompt: 'Say this' });
    expect(res.choices[0]?.text).toContain('Say this');
  });

  test('embeddings', async () => {
    const res = await gateway.openai().embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]?.embedding.length).toBeGreaterThan(0);
  });

  test('the model list holds served models, model_map names, aliases and random', async () => {
    const ids = [];
    for await (const m of gateway.openai().models.list()) ids.push(m.id);
    expect(ids.sort()).toEqual(['fast', 'gpt-4o', 'gpt-4o-mini', 'random', 'text-embedding-3-small']);
    expect((await gateway.openai().models.retrieve('fast')).id).toBe('fast');
    await expect(gateway.openai().models.retrieve('nope')).rejects.toMatchObject({ status: 404 });
  });

  test('a key with an allow-list sees and may use only its models', async () => {
    const limited = gateway.openai('sk-limited');
    const ids = [];
    for await (const m of limited.models.list()) ids.push(m.id);
    expect(ids).toEqual(['gpt-4o-mini']);
    await expect(limited.chat.completions.create({ model: 'fast', messages: user('x') })).rejects.toMatchObject({
      status: 403,
    });
  });
});

describe('client errors in OpenAI shape, nothing sent upstream', () => {
  async function post(body: string | Buffer, headers: Record<string, string> = {}, path = '/v1/chat/completions') {
    const res = await request(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json', ...headers },
      body,
    });
    return {
      status: res.statusCode,
      headers: res.headers,
      body: (await res.body.json()) as {
        error: { message: string; type: string; param: string | null; code: string | null };
      },
    };
  }

  test.each([
    ['malformed JSON', '{"model":', 400, /not valid JSON/],
    ['a JSON array', '[1,2]', 400, /JSON object/],
    ['missing messages', '{"model":"gpt-4o-mini"}', 400, /messages/],
    ['messages of the wrong type', '{"model":"gpt-4o-mini","messages":"hi"}', 400, /messages/],
    ['an unknown role', '{"model":"gpt-4o-mini","messages":[{"role":"wizard","content":"x"}]}', 400, /role/],
    [
      'temperature out of range',
      '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"temperature":7}',
      400,
      /temperature/,
    ],
    ['an unknown model', '{"model":"nope","messages":[{"role":"user","content":"x"}]}', 404, /nope/],
  ])('%s', async (_name, body, status, message) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(res.body.error.message).toMatch(message);
    expect(res.headers['x-request-id']).toBeDefined();
    expect(mock.requests).toHaveLength(0);
  });

  test('invalid UTF-8', async () => {
    const res = await post(
      Buffer.concat([
        Buffer.from('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}]}'),
      ]),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/UTF-8/);
    expect(mock.requests).toHaveLength(0);
  });

  test('wrong content type', async () => {
    const res = await post('model=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(res.body.error.type).toBe('invalid_request_error');
  });

  test('a body over the limit', async () => {
    const big = JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x'.repeat(21 * 1024 * 1024) }],
    });
    const res = await post(big);
    expect(res.status).toBe(413);
    expect(mock.requests).toHaveLength(0);
  });

  test('no key, a wrong key: 401', async () => {
    const none = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(none.statusCode).toBe(401);
    expect(((await none.body.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
    await expect(
      gateway.openai('sk-wrong').chat.completions.create({ model: 'gpt-4o-mini', messages: user('x') }),
    ).rejects.toMatchObject({ status: 401 });
    expect(mock.requests).toHaveLength(0);
  });

  test('x-api-key is accepted as the client key', async () => {
    const res = await request(`${gateway.url}/v1/models`, { headers: { 'x-api-key': CLIENT_KEY } });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });

  test("a key's own rpm is enforced with 429 and Retry-After", async () => {
    const limited = gateway.openai('sk-limited');
    const results = await Promise.allSettled(
      [0, 1, 2].map(() => limited.chat.completions.create({ model: 'gpt-4o-mini', messages: user('x') })),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ status: 429 });
  });

  test('an unknown endpoint is a 404 in OpenAI shape', async () => {
    const res = await post('{}', {}, '/v1/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('unknown_endpoint');
  });

  test('a body nested thousands of levels deep is a 400 (forwarding it once overflowed the stack: a 500)', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const res = await post(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"metadata":${deep}}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/nests arrays and objects deeper than 128 levels/);
    expect(mock.requests).toHaveLength(0);
  });

  test("a URL that does not decode is a 400, a path parameter past the limit a 414, in OpenAI shape (once Fastify's own)", async () => {
    for (const [path, status, code] of [
      ['/v1/responses/%ZZ', 400, 'invalid_url'],
      [`/v1/models/${'m'.repeat(200)}`, 414, 'uri_too_long'],
    ] as const) {
      const res = await request(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } });
      expect(res.statusCode).toBe(status);
      expect(await res.body.json()).toMatchObject({ error: { type: 'invalid_request_error', code } });
    }
  });
});

describe('health', () => {
  test('/healthz and /readyz answer without a key, with a request id', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await request(`${gateway.url}${path}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-request-id']).toBeDefined();
      await res.body.dump();
    }
  });
});
