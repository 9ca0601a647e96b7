import { describe, expect, test } from 'vitest';
import { openapiProblems } from '../../../test/openapi.ts';
import { UpstreamError } from '../../core/errors.ts';
import type { ChatResponse, StreamEvent } from '../../core/types.ts';
import { encodeResponseObject, encodeResponsesStream, type ResponseMeta, type StreamOutcome } from './encode.ts';
import { responsesRequestSchema } from './schema.ts';

const meta = (wire: Record<string, unknown> = {}): ResponseMeta => ({
  id: 'resp_abc',
  createdAt: 1741476542,
  model: 'gpt-4o-mini',
  wire: responsesRequestSchema.parse({ model: 'gpt-4o-mini', input: 'x', ...wire }),
});

const usage = { promptTokens: 36, completionTokens: 87, totalTokens: 123, cachedTokens: 4, reasoningTokens: 10 };

describe('canonical answer -> response object', () => {
  test('reasoning, text and function calls become output items with ids; usage and echoes as the API sends them', () => {
    const res: ChatResponse = {
      id: 'x',
      model: 'gpt-4o-mini',
      created: 1,
      finishReason: 'tool_calls',
      usage,
      message: {
        role: 'assistant',
        content: 'Let me check.',
        reasoning: 'The user wants weather.',
        toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      },
    };
    const tools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }];
    const out = encodeResponseObject(res, meta({ instructions: 'Be brief.', tools, temperature: 0.5 }));
    expect(out).toMatchObject({
      id: 'resp_abc',
      object: 'response',
      created_at: 1741476542,
      status: 'completed',
      error: null,
      incomplete_details: null,
      instructions: 'Be brief.',
      model: 'gpt-4o-mini',
      temperature: 0.5,
      tool_choice: 'auto',
      parallel_tool_calls: true,
      store: true,
      text: { format: { type: 'text' } },
      tools: [
        { type: 'function', name: 'get_weather', description: null, parameters: { type: 'object' }, strict: null },
      ],
      output: [
        { id: 'rs_abc_0', type: 'reasoning', summary: [{ type: 'summary_text', text: 'The user wants weather.' }] },
        {
          id: 'msg_abc_1',
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Let me check.', annotations: [], logprobs: [] }],
        },
        {
          id: 'fc_abc_2',
          type: 'function_call',
          status: 'completed',
          call_id: 'call_1',
          name: 'get_weather',
          arguments: '{"city":"Paris"}',
        },
      ],
      usage: {
        input_tokens: 36,
        input_tokens_details: { cached_tokens: 4, cache_write_tokens: 0 },
        output_tokens: 87,
        output_tokens_details: { reasoning_tokens: 10 },
        total_tokens: 123,
      },
    });
    expect(openapiProblems('Response', out)).toEqual([]);
  });

  test('a length finish is incomplete with max_output_tokens as its reason', () => {
    const res: ChatResponse = {
      id: 'x',
      model: 'm',
      created: 1,
      finishReason: 'length',
      message: { role: 'assistant', content: 'cut' },
    };
    const out = encodeResponseObject(res, meta({ max_output_tokens: 3 }));
    expect(out).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      max_output_tokens: 3,
      completed_at: null,
      output: [{ type: 'message', status: 'incomplete' }],
    });
    expect(openapiProblems('Response', out)).toEqual([]);
  });
});

async function* from(events: StreamEvent[]): AsyncIterable<StreamEvent> {
  yield* events;
}

async function encode(
  events: StreamEvent[],
): Promise<{ frames: { event: string; data: Record<string, unknown> }[]; outcome?: StreamOutcome }> {
  let outcome: StreamOutcome | undefined;
  const frames = [];
  for await (const text of encodeResponsesStream(from(events), meta(), async (o) => {
    outcome = o;
  })) {
    const match = /^event: (.+)\ndata: (.+)\n\n$/s.exec(text);
    if (!match) throw new Error(`not one SSE event: ${text}`);
    frames.push({ event: match[1]!, data: JSON.parse(match[2]!) as Record<string, unknown> });
  }
  return outcome ? { frames, outcome } : { frames };
}

describe('canonical events -> Responses SSE events', () => {
  test('text: the full event sequence, numbered, with one item id throughout', async () => {
    const { frames, outcome } = await encode([
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 } },
    ]);
    for (const f of frames) expect(f.data.type).toBe(f.event);
    const at = { item_id: 'msg_abc_0', output_index: 0, content_index: 0 };
    const part = (text: string) => ({ type: 'output_text', annotations: [], logprobs: [], text });
    const done = { id: 'msg_abc_0', type: 'message', status: 'completed', content: [part('Hello')], role: 'assistant' };
    expect(frames.map((f) => f.data)).toEqual([
      {
        type: 'response.created',
        sequence_number: 0,
        response: expect.objectContaining({ id: 'resp_abc', status: 'in_progress', output: [] }),
      },
      {
        type: 'response.in_progress',
        sequence_number: 1,
        response: expect.objectContaining({ status: 'in_progress' }),
      },
      {
        type: 'response.output_item.added',
        sequence_number: 2,
        output_index: 0,
        item: { id: 'msg_abc_0', type: 'message', status: 'in_progress', content: [], role: 'assistant' },
      },
      { type: 'response.content_part.added', sequence_number: 3, ...at, part: part('') },
      { type: 'response.output_text.delta', sequence_number: 4, ...at, delta: 'Hel', logprobs: [] },
      { type: 'response.output_text.delta', sequence_number: 5, ...at, delta: 'lo', logprobs: [] },
      { type: 'response.output_text.done', sequence_number: 6, ...at, text: 'Hello', logprobs: [] },
      { type: 'response.content_part.done', sequence_number: 7, ...at, part: part('Hello') },
      { type: 'response.output_item.done', sequence_number: 8, output_index: 0, item: done },
      {
        type: 'response.completed',
        sequence_number: 9,
        response: expect.objectContaining({
          status: 'completed',
          output: [done],
          usage: expect.objectContaining({ input_tokens: 3, output_tokens: 2, total_tokens: 5 }),
        }),
      },
    ]);
    expect(openapiProblems('Response', frames.at(-1)?.data.response)).toEqual([]);
    expect(outcome?.message).toEqual({ role: 'assistant', content: 'Hello' });
  });

  test('reasoning then two function calls: summary events, then argument deltas per call, ids consistent', async () => {
    const { frames, outcome } = await encode([
      { type: 'reasoning', text: 'Two cities.' },
      { type: 'reasoning_signature', signature: 'sig' },
      { type: 'tool_call_start', index: 0, id: 'call_a', name: 'w' },
      { type: 'tool_call_delta', index: 0, arguments: '{"city":' },
      { type: 'tool_call_delta', index: 0, arguments: '"Paris"}' },
      { type: 'tool_call_start', index: 1, id: 'call_b', name: 'w' },
      { type: 'tool_call_delta', index: 1, arguments: '{"city":"Oslo"}' },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    const rows = frames.slice(2).map(({ data }) => {
      const { type, sequence_number, ...rest } = data;
      return [sequence_number, type, rest];
    });
    const fa = { item_id: 'fc_abc_1', output_index: 1 };
    const fb = { item_id: 'fc_abc_2', output_index: 2 };
    const rs = { item_id: 'rs_abc_0', output_index: 0, summary_index: 0 };
    const call = (id: string, callId: string, status: string, args: string) => ({
      id,
      type: 'function_call',
      status,
      arguments: args,
      call_id: callId,
      name: 'w',
    });
    const reasoning = {
      id: 'rs_abc_0',
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'Two cities.' }],
      encrypted_content: 'sig',
    };
    expect(rows).toEqual([
      [2, 'response.output_item.added', { output_index: 0, item: { id: 'rs_abc_0', type: 'reasoning', summary: [] } }],
      [3, 'response.reasoning_summary_part.added', { ...rs, part: { type: 'summary_text', text: '' } }],
      [4, 'response.reasoning_summary_text.delta', { ...rs, delta: 'Two cities.' }],
      [5, 'response.reasoning_summary_text.done', { ...rs, text: 'Two cities.' }],
      [6, 'response.reasoning_summary_part.done', { ...rs, part: { type: 'summary_text', text: 'Two cities.' } }],
      [7, 'response.output_item.done', { output_index: 0, item: reasoning }],
      [8, 'response.output_item.added', { output_index: 1, item: call('fc_abc_1', 'call_a', 'in_progress', '') }],
      [9, 'response.function_call_arguments.delta', { ...fa, delta: '{"city":' }],
      [10, 'response.function_call_arguments.delta', { ...fa, delta: '"Paris"}' }],
      [11, 'response.function_call_arguments.done', { ...fa, arguments: '{"city":"Paris"}', name: 'w' }],
      [
        12,
        'response.output_item.done',
        { output_index: 1, item: call('fc_abc_1', 'call_a', 'completed', '{"city":"Paris"}') },
      ],
      [13, 'response.output_item.added', { output_index: 2, item: call('fc_abc_2', 'call_b', 'in_progress', '') }],
      [14, 'response.function_call_arguments.delta', { ...fb, delta: '{"city":"Oslo"}' }],
      [15, 'response.function_call_arguments.done', { ...fb, arguments: '{"city":"Oslo"}', name: 'w' }],
      [
        16,
        'response.output_item.done',
        { output_index: 2, item: call('fc_abc_2', 'call_b', 'completed', '{"city":"Oslo"}') },
      ],
      [17, 'response.completed', { response: expect.objectContaining({ status: 'completed' }) }],
    ]);
    expect(outcome?.message).toEqual({
      role: 'assistant',
      content: '',
      reasoning: 'Two cities.',
      reasoningSignature: 'sig',
      toolCalls: [
        { id: 'call_a', name: 'w', arguments: '{"city":"Paris"}' },
        { id: 'call_b', name: 'w', arguments: '{"city":"Oslo"}' },
      ],
    });
  });

  test('a length finish ends with response.incomplete; an error with response.failed and nothing stored', async () => {
    const cut = await encode([
      { type: 'text', text: 'a' },
      { type: 'finish', reason: 'length' },
    ]);
    expect(cut.frames.at(-1)?.data).toMatchObject({
      type: 'response.incomplete',
      response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
    });
    expect(cut.frames.at(-2)?.data).toMatchObject({ item: { status: 'incomplete' } });

    const failed = await encode([
      { type: 'text', text: 'a' },
      { type: 'error', error: new UpstreamError('Upstream went away.', { retryable: false }) },
    ]);
    expect(failed.outcome).toBeUndefined();
    expect(failed.frames.at(-1)?.data).toMatchObject({
      type: 'response.failed',
      sequence_number: 5,
      response: { status: 'failed', error: { code: 'server_error', message: 'Upstream went away.' } },
    });
  });
});
