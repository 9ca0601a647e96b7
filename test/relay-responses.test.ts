/**
 * The Responses API end to end: the openai SDK's `responses.create` (stream and not) through the gateway to an
 * OpenAI-type mock upstream, with `previous_response_id` served from the gateway's store.
 */
import type OpenAI from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';
import { openapiProblems } from './openapi.ts';

let mock: MockUpstream;
let gateway: RunningGateway;
const OTHER_KEY = 'sk-other-client';

beforeAll(async () => {
  mock = await startMockUpstream({ keys: ['sk-up'] });
  gateway = await startGateway({
    auth: { keys: [CLIENT_KEY, { key: OTHER_KEY, name: 'other' }] },
    providers: [{ name: 'oa', type: 'openai', base_url: `${mock.url}/v1`, keys: ['sk-up'], models: ['gpt-4o-mini'] }],
  });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

beforeEach(() => mock.reset());

const weather = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'The weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

const upstreamMessages = (i: number): Record<string, unknown>[] =>
  (mock.requests[i]!.body as { messages: Record<string, unknown>[] }).messages;

async function collect(stream: AsyncIterable<ResponseStreamEvent>): Promise<ResponseStreamEvent[]> {
  const events: ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe('openai SDK responses.create -> gateway -> OpenAI upstream', () => {
  test('a text answer: output_text, usage, ids and the echoed request, valid against the OpenAPI Response schema', async () => {
    const res = await gateway.openai().responses.create({
      model: 'gpt-4o-mini',
      input: 'hello world',
      instructions: 'Be brief.',
      max_output_tokens: 50,
      temperature: 0.3,
      metadata: { ticket: '42' },
    });
    expect(res.output_text).toBe('echo: hello world');
    expect(res.id).toMatch(/^resp_[0-9a-f]{32}$/);
    expect(res).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'gpt-4o-mini',
      instructions: 'Be brief.',
      max_output_tokens: 50,
      temperature: 0.3,
      metadata: { ticket: '42' },
      usage: { input_tokens: 4, output_tokens: 3, total_tokens: 7, input_tokens_details: { cached_tokens: 0 } },
    });
    expect(res.output[0]).toMatchObject({ type: 'message', role: 'assistant', id: expect.stringMatching(/^msg_/) });
    expect(openapiProblems('Response', res)).toEqual([]);
    expect(mock.requests[0]?.body).toMatchObject({
      model: 'gpt-4o-mini',
      max_tokens: 50,
      temperature: 0.3,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello world' },
      ],
    });
  });

  test('a stream: the event sequence with sequence numbers, text deltas, and response.completed with usage', async () => {
    const stream = await gateway
      .openai()
      .responses.create({ model: 'gpt-4o-mini', input: 'one two three', stream: true });
    const events = await collect(stream);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const types = events.map((e) => e.type);
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const text = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : [])).join('');
    expect(text).toBe('echo: one two three');
    const done = events.at(-1);
    expect(done?.type === 'response.completed' && done.response.usage?.total_tokens).toBe(7);
    expect(done?.type === 'response.completed' && done.response.output_text).toBeUndefined();
  });

  test('responses.stream() accumulates the events into the final response', async () => {
    const stream = gateway.openai().responses.stream({ model: 'gpt-4o-mini', input: 'accumulate me' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('echo: accumulate me');
    expect(final.status).toBe('completed');
  });

  test('a function tool round trip: function_call, then function_call_output answers it', async () => {
    const client = gateway.openai();
    const first = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'call get_weather {"city":"Paris"}',
      tools: [weather],
      store: false,
    });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
      id: expect.stringMatching(/^fc_/),
    });
    expect(mock.requests[0]?.body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', strict: false, parameters: { type: 'object' } } }],
    });
    if (call?.type !== 'function_call') throw new Error('no function call');
    const second = await client.responses.create({
      model: 'gpt-4o-mini',
      input: [
        { role: 'user', content: 'call get_weather {"city":"Paris"}' },
        call,
        { type: 'function_call_output', call_id: call.call_id, output: '21 degrees' },
      ],
      tools: [weather],
    });
    expect(second.output_text).toBe('tool result: 21 degrees');
    expect(upstreamMessages(1).slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: call.call_id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: 'tool', tool_call_id: call.call_id, content: '21 degrees' },
    ]);
  });

  test('a streamed function call: added, argument deltas, done, and the item in response.completed', async () => {
    const stream = await gateway.openai().responses.create({
      model: 'gpt-4o-mini',
      input: 'call get_weather {"city":"Oslo"}',
      tools: [weather],
      stream: true,
    });
    const events = await collect(stream);
    const args = events.flatMap((e) => (e.type === 'response.function_call_arguments.delta' ? [e.delta] : []));
    expect(args.join('')).toBe('{"city":"Oslo"}');
    const done = events.find((e) => e.type === 'response.function_call_arguments.done');
    expect(done).toMatchObject({ name: 'get_weather', arguments: '{"city":"Oslo"}' });
    const completed = events.at(-1);
    if (completed?.type !== 'response.completed') throw new Error(`ended with ${completed?.type}`);
    expect(completed.response.output).toEqual([
      expect.objectContaining({ type: 'function_call', name: 'get_weather', arguments: '{"city":"Oslo"}' }),
    ]);
  });

  test('previous_response_id continues the conversation: upstream receives the history, not the old instructions', async () => {
    const client = gateway.openai();
    const first = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'first question',
      instructions: 'Old.',
    });
    const second = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'second question',
      instructions: 'New.',
      previous_response_id: first.id,
    });
    expect(second.output_text).toBe('echo: second question');
    expect(second.previous_response_id).toBe(first.id);
    expect(upstreamMessages(1)).toEqual([
      { role: 'system', content: 'New.' },
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'echo: first question' },
      { role: 'user', content: 'second question' },
    ]);
  });

  test('a function call answered with only function_call_output and previous_response_id (the Agents SDK way)', async () => {
    const client = gateway.openai();
    const first = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'call get_weather {"city":"Rome"}',
      tools: [weather],
    });
    const call = first.output.find((item) => item.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('no function call');
    const second = await client.responses.create({
      model: 'gpt-4o-mini',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny' }],
      tools: [weather],
    });
    expect(second.output_text).toBe('tool result: sunny');
    expect(upstreamMessages(1)).toMatchObject([
      { role: 'user', content: 'call get_weather {"city":"Rome"}' },
      { role: 'assistant', tool_calls: [{ id: call.call_id, function: { name: 'get_weather' } }] },
      { role: 'tool', tool_call_id: call.call_id, content: 'sunny' },
    ]);
  });

  test('a streamed response is stored once complete and can be continued', async () => {
    const client = gateway.openai();
    const events = await collect(
      await client.responses.create({ model: 'gpt-4o-mini', input: 'streamed first', stream: true }),
    );
    const created = events[0];
    if (created?.type !== 'response.created') throw new Error('no response.created');
    await client.responses.create({ model: 'gpt-4o-mini', input: 'next', previous_response_id: created.response.id });
    expect(upstreamMessages(1).map((m) => m.content)).toEqual(['streamed first', 'echo: streamed first', 'next']);
  });

  test('store: false keeps nothing: continuing from it is refused', async () => {
    const client = gateway.openai();
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'forget me', store: false });
    expect(first).toHaveProperty('store', false);
    await expect(
      client.responses.create({ model: 'gpt-4o-mini', input: 'again', previous_response_id: first.id }),
    ).rejects.toMatchObject({ status: 400, code: 'previous_response_not_found' });
  });

  test("another client's response id is refused as not found, and cannot be read or deleted", async () => {
    const mine = await gateway.openai().responses.create({ model: 'gpt-4o-mini', input: 'private' });
    const other = gateway.openai(OTHER_KEY);
    await expect(
      other.responses.create({ model: 'gpt-4o-mini', input: 'peek', previous_response_id: mine.id }),
    ).rejects.toMatchObject({
      status: 400,
      code: 'previous_response_not_found',
      param: 'previous_response_id',
      error: { message: `Previous response with id '${mine.id}' not found.` },
    });
    await expect(other.responses.retrieve(mine.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.responses.delete(mine.id)).rejects.toMatchObject({ status: 404 });
    expect(mock.requests).toHaveLength(1);
  });

  test('GET /v1/responses/{id} returns a stored response; DELETE removes it', async () => {
    const client = gateway.openai();
    const res = await client.responses.create({ model: 'gpt-4o-mini', input: 'keep me' });
    const got = await client.responses.retrieve(res.id);
    expect(got.id).toBe(res.id);
    expect(got.output_text).toBe('echo: keep me');
    await client.responses.delete(res.id);
    await expect(client.responses.retrieve(res.id)).rejects.toMatchObject({ status: 404 });
  });

  test('reasoning from a reasoning_content upstream comes back as a reasoning item with its summary', async () => {
    mock.enqueue({ think: true });
    const res = await gateway.openai().responses.create({ model: 'gpt-4o-mini', input: 'why is the sky blue' });
    expect(res.output[0]).toMatchObject({
      type: 'reasoning',
      id: expect.stringMatching(/^rs_/),
      summary: [{ type: 'summary_text', text: 'thinking about: why is the sky blue' }],
    });
    expect(res.output_text).toBe('echo: why is the sky blue');
    expect(openapiProblems('Response', res)).toEqual([]);
  });

  test('streamed reasoning arrives as reasoning summary deltas before the text item', async () => {
    mock.enqueue({ think: true });
    const events = await collect(
      await gateway.openai().responses.create({
        model: 'gpt-4o-mini',
        input: 'why',
        reasoning: { effort: 'low' },
        stream: true,
      }),
    );
    expect(mock.requests[0]?.body).toMatchObject({ reasoning_effort: 'low' });
    const summary = events.flatMap((e) => (e.type === 'response.reasoning_summary_text.delta' ? [e.delta] : []));
    expect(summary.join('')).toBe('thinking about: why');
    const added = events.filter((e) => e.type === 'response.output_item.added').map((e) => e.item.type);
    expect(added).toEqual(['reasoning', 'message']);
  });

  test('max_output_tokens reached: status incomplete with its reason, streamed as response.incomplete', async () => {
    mock.enqueue({ finishReason: 'length' });
    const res = await gateway.openai().responses.create({ model: 'gpt-4o-mini', input: 'long', max_output_tokens: 5 });
    expect(res).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    mock.enqueue({ finishReason: 'length' });
    const events = await collect(
      await gateway.openai().responses.create({ model: 'gpt-4o-mini', input: 'long', stream: true }),
    );
    expect(events.at(-1)).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete' } });
  });

  test('errors come back in OpenAI shape: unknown model, built-in tools, file_id images, upstream failure', async () => {
    const client = gateway.openai();
    await expect(client.responses.create({ model: 'no-such-model', input: 'x' })).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
    await expect(
      client.responses.create({ model: 'gpt-4o-mini', input: 'x', tools: [{ type: 'web_search' }] }),
    ).rejects.toMatchObject({ status: 400, param: 'tools[0].type', message: expect.stringContaining('web_search') });
    await expect(
      client.responses.create({
        model: 'gpt-4o-mini',
        input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-123', detail: 'auto' }] }],
      }),
    ).rejects.toMatchObject({ status: 400, param: 'input[0].content[0]', message: expect.stringContaining('file_id') });
    mock.enqueue({ status: 500 });
    const failed = (await client.responses
      .create({ model: 'gpt-4o-mini', input: 'x' })
      .catch((err: unknown) => err)) as InstanceType<typeof OpenAI.APIError>;
    expect(failed.status).toBe(502);
    expect(failed.error).toMatchObject({ type: 'upstream_error', message: expect.stringContaining('500') });
  });

  test('a stream that breaks upstream ends with response.failed', async () => {
    mock.enqueue({ errorAfterChunks: 2, errorMessage: 'overloaded' });
    const events = await collect(
      await gateway.openai().responses.create({ model: 'gpt-4o-mini', input: 'a b c d e f', stream: true }),
    );
    const last = events.at(-1);
    expect(last).toMatchObject({
      type: 'response.failed',
      response: { status: 'failed', error: { code: 'server_error' } },
    });
  });

  test('an image input reaches upstream as an image_url part', async () => {
    const url = 'data:image/png;base64,iVBORw0KGgo=';
    await gateway.openai().responses.create({
      model: 'gpt-4o-mini',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'what is this' },
            { type: 'input_image', image_url: url, detail: 'low' },
          ],
        },
      ],
    });
    expect(upstreamMessages(0)).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this' },
          { type: 'image_url', image_url: { url, detail: 'low' } },
        ],
      },
    ]);
  });

  test('without a key the route answers 401 in OpenAI error shape; with a bearer key it answers', async () => {
    const res = await request(`${gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', input: 'x' }),
    });
    expect(res.statusCode).toBe(401);
    expect(await res.body.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key' } });
    const ok = await request(`${gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', input: 'x' }),
    });
    expect(ok.statusCode).toBe(200);
  });
});
