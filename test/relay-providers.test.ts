import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

let azureMock: MockUpstream;
let mock: MockUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  azureMock = await startMockUpstream({ keys: ['az-key'], deployments: ['prod-4o', 'prod-embed'] });
  mock = await startMockUpstream();
  gateway = await startGateway({
    providers: [
      {
        name: 'azure-east',
        type: 'azure',
        base_url: azureMock.url,
        keys: ['az-key'],
        model_map: { 'gpt-4o': 'prod-4o', 'text-embedding-3-small': 'prod-embed' },
      },
      { name: 'local', type: 'ollama', base_url: mock.url, models: ['llama3.2'], embedding_models: ['all-minilm'] },
      { name: 'nosys', type: 'ollama', base_url: mock.url, model_map: { 'no-system': 'llama3.2' }, system_role: false },
      { name: 'twin-a', type: 'ollama', base_url: mock.url, model_map: { twin: 'llama3.2' } },
      { name: 'twin-b', type: 'ollama', base_url: mock.url, model_map: { twin: 'llama3.2' } },
    ],
  });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
  await azureMock.close();
});

beforeEach(() => {
  mock.reset();
  azureMock.reset();
});

const messages = [
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'hello world' },
];

describe('azure', () => {
  test('chat reaches the deployment URL with api-version and the api-key header', async () => {
    const res = await gateway.openai().chat.completions.create({ model: 'gpt-4o', messages });
    expect(res.choices[0]?.message.content).toBe('echo: hello world');
    const seen = azureMock.requests[0]!;
    expect(seen.path).toBe('/openai/deployments/prod-4o/chat/completions');
    expect(seen.query['api-version']).toBe('2024-10-21');
    expect(seen.headers['api-key']).toBe('az-key');
    expect(seen.headers.authorization).toBeUndefined();
  });

  test('stream and embeddings', async () => {
    const stream = await gateway.openai().chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('echo: hello world');
    const emb = await gateway.openai().embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    expect(emb.data[0]?.embedding.length).toBeGreaterThan(0);
    expect(azureMock.requests[1]?.path).toBe('/openai/deployments/prod-embed/embeddings');
  });
});

describe('ollama, converted both ways', () => {
  test('non-stream chat: native /api/chat body, OpenAI answer with usage', async () => {
    const res = await gateway
      .openai()
      .chat.completions.create({ model: 'llama3.2', messages, max_tokens: 50, temperature: 0.2 });
    expect(res.object).toBe('chat.completion');
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.choices[0]?.message.content).toBe('echo: hello world');
    expect(res.usage?.prompt_tokens).toBe(4);
    const seen = mock.requests[0]!;
    expect(seen.path).toBe('/api/chat');
    expect(seen.body).toMatchObject({
      model: 'llama3.2',
      stream: false,
      options: { num_predict: 50, temperature: 0.2 },
    });
    expect((seen.body as { messages: unknown[] }).messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
  });

  test('stream chat: NDJSON becomes OpenAI chunks, with the usage chunk when asked', async () => {
    const stream = await gateway.openai().chat.completions.create({
      model: 'llama3.2',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: { completion_tokens: number } | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('echo: hello world');
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBe(3);
  });

  test('streamed tool call arrives as OpenAI tool_call deltas', async () => {
    const stream = await gateway.openai().chat.completions.create({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'call lookup {"q":"x"}' }],
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      stream: true,
    });
    let name = '';
    let args = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      for (const c of chunk.choices[0]?.delta.tool_calls ?? []) {
        name += c.function?.name ?? '';
        args += c.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe('lookup');
    expect(JSON.parse(args)).toEqual({ q: 'x' });
    expect(finish).toBe('tool_calls');
  });

  test('embeddings, float and base64', async () => {
    const floats = await gateway
      .openai()
      .embeddings.create({ model: 'all-minilm', input: ['a', 'b'], encoding_format: 'float' });
    expect(floats.data).toHaveLength(2);
    const first = floats.data[0]!.embedding;
    // The SDK decodes base64 itself: both forms must give the same float32 vector.
    const b64 = await gateway.openai().embeddings.create({ model: 'all-minilm', input: ['a', 'b'] });
    expect(b64.data[0]!.embedding.map((v) => Math.fround(v))).toEqual(first.map((v) => Math.fround(v)));
  });

  test('system_role false: the system text is folded into the first user message', async () => {
    await gateway.openai().chat.completions.create({ model: 'no-system', messages });
    expect(mock.requests[0]?.body).toMatchObject({
      messages: [{ role: 'user', content: 'Be brief.\n\nhello world' }],
    });
  });

  test('an image URL Ollama cannot fetch is a 400 naming it, and nothing goes upstream', async () => {
    const err = await gateway
      .openai()
      .chat.completions.create({
        model: 'llama3.2',
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400 });
    expect(String((err as Error).message)).toMatch(/cat\.png|image/i);
    expect(mock.requests).toHaveLength(0);
  });

  test('an Ollama stream cut mid-way ends with an OpenAI error event and [DONE]', async () => {
    mock.enqueue({ cutAfterChunks: 2 });
    const res = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content: 'a b c d e f g' }], stream: true }),
    });
    const events = (await res.body.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(JSON.parse(events.at(-2)!.slice(6))).toMatchObject({ error: { type: 'upstream_error' } });
  });

  test('a JSON error with status 200 in answer to a stream request is retried on the next deployment', async () => {
    mock.enqueue({ status: 200, body: { error: 'model is loading' } });
    const stream = await gateway.openai().chat.completions.create({ model: 'twin', messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('echo: hello world');
    expect(mock.requests.map((r) => r.status)).toEqual([200, 200]);
  });
});
