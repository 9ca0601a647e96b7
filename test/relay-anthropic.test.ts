/**
 * Anthropic Messages both ways, end to end: the @anthropic-ai/sdk (and Claude Code's request shape) as a client of the
 * gateway served by an OpenAI upstream, and the openai SDK reaching an Anthropic upstream through the gateway.
 */
import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

let openaiMock: MockUpstream;
let anthropicMock: MockUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  openaiMock = await startMockUpstream({ keys: ['sk-up'] });
  anthropicMock = await startMockUpstream({ keys: ['sk-ant-up'], models: ['claude-sonnet-4-6', 'claude-3-5-haiku'] });
  gateway = await startGateway({
    providers: [
      { name: 'oa', type: 'openai', base_url: `${openaiMock.url}/v1`, keys: ['sk-up'], models: ['gpt-4o-mini'] },
      {
        name: 'claude',
        type: 'anthropic',
        base_url: anthropicMock.url,
        keys: ['sk-ant-up'],
        models: ['claude-sonnet-4-6'],
        model_map: { haiku: 'claude-3-5-haiku' },
      },
      {
        name: 'claude-v1',
        type: 'anthropic',
        base_url: `${anthropicMock.url}/v1`,
        keys: ['sk-ant-up'],
        model_map: { 'claude-via-v1': 'claude-sonnet-4-6' },
      },
      {
        name: 'claude-bad',
        type: 'anthropic',
        base_url: anthropicMock.url,
        keys: ['sk-ant-wrong'],
        model_map: { 'claude-bad-key': 'claude-sonnet-4-6' },
      },
      {
        name: 'claude-gone',
        type: 'anthropic',
        base_url: anthropicMock.url,
        keys: ['sk-ant-up'],
        model_map: { 'claude-retired': 'claude-2.1' },
      },
    ],
  });
});

afterAll(async () => {
  await gateway.close();
  await openaiMock.close();
  await anthropicMock.close();
});

beforeEach(() => {
  openaiMock.reset();
  anthropicMock.reset();
});

const claude = (apiKey = CLIENT_KEY): Anthropic =>
  new Anthropic({ baseURL: gateway.url, apiKey, maxRetries: 0, timeout: 10_000 });

const weatherTool = {
  name: 'get_weather',
  description: 'The weather of a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** The SSE events of a raw stream answer, as `[event, data]` pairs. */
function sseEvents(text: string): [string, Record<string, unknown>][] {
  return text
    .split('\n\n')
    .filter((frame) => frame.trim())
    .map((frame) => {
      const event = /^event: (.+)$/m.exec(frame)?.[1] ?? '';
      const data = /^data: (.+)$/m.exec(frame)?.[1] ?? '{}';
      return [event, JSON.parse(data) as Record<string, unknown>];
    });
}

async function postMessages(
  body: unknown,
  opts: { path?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string; contentType: string }> {
  const res = await request(`${gateway.url}${opts.path ?? '/v1/messages'}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': CLIENT_KEY,
      'anthropic-version': '2023-06-01',
      ...opts.headers,
    },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, text: await res.body.text(), contentType: String(res.headers['content-type']) };
}

describe('@anthropic-ai/sdk client -> gateway -> OpenAI upstream', () => {
  test('messages.create answers a message with text, stop reason and usage, from an OpenAI-format call', async () => {
    const msg = await claude().messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 64,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hello world' }],
    });
    expect(msg.id).toMatch(/^msg_/);
    expect(msg.type).toBe('message');
    expect(msg.role).toBe('assistant');
    expect(msg.model).toBe('gpt-4o-mini');
    expect(msg.content).toEqual([{ type: 'text', text: 'echo: hello world' }]);
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage).toMatchObject({ input_tokens: 4, output_tokens: 3 });
    expect(openaiMock.requests[0]?.body).toMatchObject({
      model: 'gpt-4o-mini',
      max_tokens: 64,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello world' },
      ],
    });
  });

  test('a stream sends the exact event sequence: message_start, ping, one text block, message_delta, message_stop', async () => {
    const res = await postMessages({
      model: 'gpt-4o-mini',
      max_tokens: 64,
      stream: true,
      messages: [{ role: 'user', content: 'one two three' }],
    });
    expect(res.status).toBe(200);
    expect(res.contentType).toContain('text/event-stream');
    const events = sseEvents(res.text);
    const names = events.map(([e]) => e);
    expect(names[0]).toBe('message_start');
    expect(names[1]).toBe('ping');
    expect(names[2]).toBe('content_block_start');
    expect(names.slice(3, -3).every((n) => n === 'content_block_delta')).toBe(true);
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    for (const [event, data] of events) expect(data.type).toBe(event);
    const start = events[0]![1] as { message: { usage: { input_tokens: number }; content: unknown[] } };
    expect(start.message.usage.input_tokens).toBeGreaterThan(0);
    expect(start.message.content).toEqual([]);
    expect(events[2]![1]).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    const text = events
      .filter(([e]) => e === 'content_block_delta')
      .map(([, d]) => (d.delta as { text: string }).text)
      .join('');
    expect(text).toBe('echo: one two three');
    expect(events.at(-2)![1]).toMatchObject({
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 3, output_tokens: 4 },
    });
  });

  test('messages.stream assembles the final message with the SDK', async () => {
    const stream = claude().messages.stream({
      model: 'gpt-4o-mini',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'stream me' }],
    });
    let streamed = '';
    stream.on('text', (delta) => {
      streamed += delta;
    });
    const msg = await stream.finalMessage();
    expect(streamed).toBe('echo: stream me');
    expect(msg.content).toMatchObject([{ type: 'text', text: 'echo: stream me' }]);
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage.output_tokens).toBe(3);
  });

  test('tool use round trip: a tool_use block with parsed input, then the tool_result answered', async () => {
    const first = await claude().messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 100,
      tools: [weatherTool],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      messages: [{ role: 'user', content: 'call get_weather {"city":"Paris"}' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b) => b.type === 'tool_use');
    expect(use).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
    expect(openaiMock.requests[0]?.body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherTool.input_schema } }],
      tool_choice: 'auto',
      parallel_tool_calls: false,
    });

    const second = await claude().messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 100,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'call get_weather {"city":"Paris"}' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: use!.type === 'tool_use' ? use!.id : '', content: '18C' }],
        },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'tool result: 18C' }]);
    const sent = openaiMock.requests[1]?.body as { messages: Record<string, unknown>[] };
    expect(sent.messages.at(-2)).toMatchObject({
      role: 'assistant',
      tool_calls: [{ function: { name: 'get_weather' } }],
    });
    expect(sent.messages.at(-1)).toMatchObject({ role: 'tool', content: '18C' });
  });

  test('a streamed tool call arrives as a tool_use block with input_json_delta events', async () => {
    const res = await postMessages({
      model: 'gpt-4o-mini',
      max_tokens: 100,
      stream: true,
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'call get_weather {"city":"Oslo"}' }],
    });
    const events = sseEvents(res.text);
    const start = events.find(([e]) => e === 'content_block_start')![1];
    expect(start.content_block).toMatchObject({ type: 'tool_use', name: 'get_weather', input: {} });
    const json = events
      .filter(([e, d]) => e === 'content_block_delta' && (d.delta as { type: string }).type === 'input_json_delta')
      .map(([, d]) => (d.delta as { partial_json: string }).partial_json)
      .join('');
    expect(JSON.parse(json)).toEqual({ city: 'Oslo' });
    expect(events.at(-2)![1]).toMatchObject({ delta: { stop_reason: 'tool_use' } });
  });

  test('images go upstream as image_url parts: base64 as a data URL, a URL as it is', async () => {
    await claude().messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 64,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'compare' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    expect(openaiMock.requests[0]?.body).toMatchObject({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'compare' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
  });

  test('thinking turns on the upstream reasoning, which comes back as a thinking block', async () => {
    const msg = await claude().messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      messages: [{ role: 'user', content: 'ponder this' }],
    });
    expect(msg.content[0]).toMatchObject({ type: 'thinking', thinking: 'thinking about: ponder this' });
    expect(msg.content[1]).toEqual({ type: 'text', text: 'echo: ponder this' });
  });

  test("Claude Code's request shape (cache_control, tools, metadata, beta header and query, stream) is served", async () => {
    const res = await postMessages(
      {
        model: 'gpt-4o-mini',
        max_tokens: 32000,
        stream: true,
        system: [
          {
            type: 'text',
            text: "You are Claude Code, Anthropic's official CLI for Claude.",
            cache_control: { type: 'ephemeral' },
          },
          { type: 'text', text: 'Answer tersely.', cache_control: { type: 'ephemeral' } },
        ],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: '<system-reminder>context</system-reminder>' },
              { type: 'text', text: 'list files', cache_control: { type: 'ephemeral' } },
            ],
          },
        ],
        tools: [
          {
            name: 'Bash',
            description: 'Run a shell command',
            input_schema: {
              type: 'object',
              properties: { command: { type: 'string' } },
              required: ['command'],
              additionalProperties: false,
              $schema: 'http://json-schema.org/draft-07/schema#',
            },
          },
        ],
        metadata: { user_id: 'user_abc_account__session_123' },
        temperature: 1,
      },
      {
        path: '/v1/messages?beta=true',
        headers: {
          'anthropic-beta':
            'claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14',
          'anthropic-dangerous-direct-browser-access': 'true',
          'x-app': 'cli',
        },
      },
    );
    expect(res.status).toBe(200);
    const events = sseEvents(res.text);
    expect(events.map(([e]) => e).at(-1)).toBe('message_stop');
    expect(openaiMock.requests[0]?.body).toMatchObject({
      user: 'user_abc_account__session_123',
      messages: [
        { role: 'system', content: "You are Claude Code, Anthropic's official CLI for Claude.\nAnswer tersely." },
        { role: 'user' },
      ],
      tools: [{ function: { name: 'Bash' } }],
    });
  });

  test("a bad key gets Anthropic's 401 error shape, which the SDK reads as an AuthenticationError", async () => {
    const res = await postMessages(
      { model: 'gpt-4o-mini', max_tokens: 5, messages: [] },
      { headers: { 'x-api-key': 'nope' } },
    );
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    await expect(
      claude('nope').messages.create({
        model: 'gpt-4o-mini',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });

  test('an upstream failure after the first bytes ends the stream with an Anthropic error event', async () => {
    openaiMock.enqueue({ errorAfterChunks: 3, errorMessage: 'backend exploded' });
    const res = await postMessages({
      model: 'gpt-4o-mini',
      max_tokens: 64,
      stream: true,
      messages: [{ role: 'user', content: 'one two three four five' }],
    });
    const events = sseEvents(res.text);
    expect(events[0]![0]).toBe('message_start');
    expect(events.at(-1)![0]).toBe('error');
    expect(events.at(-1)![1]).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    expect(JSON.stringify(events.at(-1)![1])).toContain('backend exploded');
    expect(events.map(([e]) => e)).not.toContain('message_stop');
  });

  test('a bad body is a 400 invalid_request_error naming the field', async () => {
    const res = await postMessages({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
    });
    const unknown = await postMessages({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  test("an unknown path under /v1/messages and a body nested too deep get Anthropic's error shape", async () => {
    const unknown = await postMessages({}, { path: '/v1/messages/batches' });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    const res = await request(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': CLIENT_KEY },
      body: `{"model":"claude-sonnet-4-6","max_tokens":5,"messages":[{"role":"user","content":"x"}],"metadata":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`,
    });
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  test('count_tokens counts with the tokenizer when the model is not served by Anthropic', async () => {
    const counted = await claude().messages.countTokens({
      model: 'gpt-4o-mini',
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hello world, how are you today?' }],
      tools: [weatherTool],
    });
    expect(counted.input_tokens).toBeGreaterThan(10);
    expect(openaiMock.requests).toHaveLength(0);
  });

  test('count_tokens of text that reads like a special token, or of one 200,000-letter word, is counted', async () => {
    // The first was a 500 (the tokenizer refused it), the second minutes of CPU with every other request stalled.
    for (const content of ['say <|endoftext|> and stop', 'a'.repeat(200_000)]) {
      const counted = await claude().messages.countTokens({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content }],
      });
      expect(counted.input_tokens).toBeGreaterThan(5);
    }
  });

  test('count_tokens asks the Anthropic upstream when the model routes there', async () => {
    const counted = await claude().messages.countTokens({
      model: 'claude-sonnet-4-6',
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'one two three four' }],
    });
    expect(counted).toEqual({ input_tokens: 6 });
    const sent = anthropicMock.requests[0]!;
    expect(sent.path).toBe('/v1/messages/count_tokens');
    expect(sent.body).toEqual({
      model: 'claude-sonnet-4-6',
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'one two three four' }] }],
    });
  });
});

describe('@anthropic-ai/sdk client -> gateway -> Anthropic upstream', () => {
  test('a thinking block and its signature survive the round trip through the canonical form', async () => {
    const first = await claude().messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'deep thought' }],
    });
    expect(first.content[0]).toEqual({
      type: 'thinking',
      thinking: 'thinking about: deep thought',
      signature: expect.stringMatching(/^mock-signature-/),
    });
    const second = await claude().messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [
        { role: 'user', content: 'deep thought' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: 'and then?' },
      ],
    });
    expect(second.content.at(-1)).toEqual({ type: 'text', text: 'echo: and then?' });
    const sent = anthropicMock.requests[1]!.body as { messages: { content: unknown[] }[] };
    expect(sent.messages[1]!.content[0]).toEqual(first.content[0]);
  });

  test('a streamed answer keeps the upstream thinking, signature_delta and cache counts', async () => {
    const res = await postMessages({
      model: 'claude-sonnet-4-6',
      max_tokens: 2048,
      stream: true,
      system: 'stream cache system',
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'hmm' }],
    });
    const events = sseEvents(res.text);
    const deltas = events.filter(([e]) => e === 'content_block_delta').map(([, d]) => d.delta as { type: string });
    expect(deltas.map((d) => d.type)).toEqual([
      'thinking_delta',
      'thinking_delta',
      'thinking_delta',
      'signature_delta',
      'text_delta',
      'text_delta',
    ]);
    // Anthropic to Anthropic, the stream passes through as upstream sent it: its own usage in message_start.
    expect(events[0]![1]).toMatchObject({
      message: { usage: { input_tokens: 1, cache_creation_input_tokens: 3, cache_read_input_tokens: 0 } },
    });
  });

  test('a passed-through stream cut by upstream ends with an Anthropic error event', async () => {
    anthropicMock.enqueue({ cutAfterChunks: 4 });
    const res = await postMessages({
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      stream: true,
      messages: [{ role: 'user', content: 'one two three four five' }],
    });
    const events = sseEvents(res.text);
    expect(events[0]![0]).toBe('message_start');
    expect(events.at(-1)).toEqual(['error', { type: 'error', error: expect.objectContaining({ type: 'api_error' }) }]);
    expect(events.some(([e]) => e === 'message_stop')).toBe(false);
  });

  test("models.list and models.retrieve answer in Anthropic's shape", async () => {
    const client = new Anthropic({ apiKey: CLIENT_KEY, baseURL: gateway.url, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain('claude-sonnet-4-6');
    const one = await client.models.retrieve('claude-sonnet-4-6');
    expect(one).toMatchObject({ type: 'model', id: 'claude-sonnet-4-6', display_name: 'claude-sonnet-4-6' });
    expect(Number.isNaN(Date.parse(one.created_at))).toBe(false);
  });

  test('the client body goes upstream as sent (cache_control, unknown fields) with its anthropic-beta header', async () => {
    const body = {
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      system: [{ type: 'text', text: 'Long system prompt', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'cached hi', cache_control: { type: 'ephemeral' } }] },
      ],
      context_management: { edits: [] },
    };
    const res = await postMessages(body, { headers: { 'anthropic-beta': 'context-management-2025-06-27' } });
    expect(res.status).toBe(200);
    const seen = anthropicMock.requests[0]!;
    expect(seen.body).toEqual({ ...body, model: anthropicMock.requests[0]!.model });
    expect(seen.headers['anthropic-beta']).toBe('context-management-2025-06-27');
    expect(seen.headers['x-api-key']).not.toBe(CLIENT_KEY);
  });
});

describe('openai SDK -> gateway -> Anthropic upstream', () => {
  test('a chat completion is a Messages call with x-api-key, anthropic-version and a filled-in max_tokens', async () => {
    const res = await gateway.openai().chat.completions.create({
      model: 'claude-sonnet-4-6',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi there' },
      ],
    });
    expect(res.choices[0]?.message.content).toBe('echo: hi there');
    expect(res.choices[0]?.finish_reason).toBe('stop');
    const sent = anthropicMock.requests[0]!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe('sk-ant-up');
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.body).toEqual({
      model: 'claude-sonnet-4-6',
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi there' }] }],
      max_tokens: 64000,
    });
  });

  test('a base URL ending in /v1 works too; older models get their own max_tokens', async () => {
    await gateway.openai().chat.completions.create({
      model: 'claude-via-v1',
      messages: [{ role: 'user', content: 'hi' }],
    });
    await gateway.openai().chat.completions.create({ model: 'haiku', messages: [{ role: 'user', content: 'hi' }] });
    expect(anthropicMock.requests.map((r) => r.path)).toEqual(['/v1/messages', '/v1/messages']);
    expect((anthropicMock.requests[1]!.body as { max_tokens: number }).max_tokens).toBe(8192);
  });

  test('a stream arrives as OpenAI chunks with the usage at the end', async () => {
    const stream = await gateway.openai().chat.completions.create({
      model: 'claude-sonnet-4-6',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'one two three' }],
    });
    let text = '';
    let usage: unknown;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('echo: one two three');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect((anthropicMock.requests[0]!.body as { stream: boolean }).stream).toBe(true);
  });

  test('tools: a tool call comes back, and its result goes upstream as a tool_result block', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'get_weather', parameters: weatherTool.input_schema },
      },
    ];
    const first = await gateway.openai().chat.completions.create({
      model: 'claude-sonnet-4-6',
      tools,
      messages: [{ role: 'user', content: 'call get_weather {"city":"Rome"}' }],
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } });

    const stream = await gateway.openai().chat.completions.create({
      model: 'claude-sonnet-4-6',
      tools,
      stream: true,
      messages: [
        { role: 'user', content: 'call get_weather {"city":"Rome"}' },
        first.choices[0]!.message,
        { role: 'tool', tool_call_id: call!.id, content: 'sunny' },
      ],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('tool result: sunny');
    const sent = anthropicMock.requests[1]!.body as { messages: unknown[] };
    expect(sent.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: call!.id, name: 'get_weather', input: { city: 'Rome' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call!.id, content: 'sunny' }] },
    ]);
  });

  test('a streamed tool call is rebuilt from input_json_delta events', async () => {
    const stream = await gateway.openai().chat.completions.create({
      model: 'claude-sonnet-4-6',
      stream: true,
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherTool.input_schema } }],
      messages: [{ role: 'user', content: 'call get_weather {"city":"Lima"}' }],
    });
    let args = '';
    let name = '';
    for await (const chunk of stream) {
      const call = chunk.choices[0]?.delta.tool_calls?.[0];
      name ||= call?.function?.name ?? '';
      args += call?.function?.arguments ?? '';
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ city: 'Lima' });
  });

  test('prompt-cache usage: writes, then reads, counted into prompt_tokens with cached_tokens', async () => {
    const ask = () =>
      gateway.openai().chat.completions.create({
        model: 'claude-sonnet-4-6',
        messages: [
          { role: 'system', content: 'a long shared cached system prompt' },
          { role: 'user', content: 'hello' },
        ],
      });
    const first = await ask();
    expect(first.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 });
    expect(first.usage?.prompt_tokens_details?.cached_tokens ?? 0).toBe(0);
    const second = await ask();
    expect(second.usage).toMatchObject({ prompt_tokens: 7, prompt_tokens_details: { cached_tokens: 6 } });
  });

  test('reasoning effort turns thinking on with a budget, drops temperature, and the reasoning comes back', async () => {
    const first = await gateway.openai().chat.completions.create({
      model: 'claude-sonnet-4-6',
      reasoning_effort: 'low',
      temperature: 0.5,
      messages: [{ role: 'user', content: 'think first' }],
    });
    const message = first.choices[0]!.message as { content: string; reasoning_content?: string };
    expect(message.reasoning_content).toBe('thinking about: think first');
    expect(anthropicMock.requests[0]!.body).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 2048 } });
    expect(anthropicMock.requests[0]!.body).not.toHaveProperty('temperature');
  });

  test('stop sequences go upstream as stop_sequences and the answer stops there', async () => {
    const res = await gateway.openai().chat.completions.create({
      model: 'claude-sonnet-4-6',
      stop: [' three'],
      messages: [{ role: 'user', content: 'one two three four' }],
    });
    expect(res.choices[0]?.message.content).toBe('echo: one two');
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(anthropicMock.requests[0]!.body).toMatchObject({ stop_sequences: [' three'] });
  });

  test("an unknown upstream model is a 404 in the caller's format; an overloaded stream ends with an error", async () => {
    await expect(
      claude().messages.create({ model: 'claude-retired', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    anthropicMock.enqueue({ errorAfterChunks: 4, errorMessage: 'Overloaded' });
    const stream = await gateway.openai().chat.completions.create({
      model: 'claude-sonnet-4-6',
      stream: true,
      messages: [{ role: 'user', content: 'one two three four five six' }],
    });
    const read = async (): Promise<string> => {
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    };
    await expect(read()).rejects.toThrow(/Overloaded/);
  });

  test('an upstream refusal of the key is a 502 naming the upstream, in the OpenAI error shape', async () => {
    const err = await gateway
      .openai()
      .chat.completions.create({ model: 'claude-bad-key', messages: [{ role: 'user', content: 'x' }] })
      .then(
        () => undefined,
        (e: unknown) => e as { status: number; message: string },
      );
    expect(err?.status).toBe(502);
    expect(err?.message).toContain("Upstream 'claude-bad' answered 401: invalid x-api-key");
  });
});
