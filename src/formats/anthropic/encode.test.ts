import { describe, expect, test } from 'vitest';
import { collect } from '../../../test/mock-upstream.ts';
import { chatRequest } from '../../../test/provider-tests.ts';
import { GatewayError, InvalidRequest, Unauthorized, UpstreamError } from '../../core/errors.ts';
import type { ChatResponse, StreamEvent } from '../../core/types.ts';
import type { AnswerContext } from '../types.ts';
import { anthropic } from './index.ts';

const ctx: AnswerContext = {
  requestId: 'req1',
  created: 1_700_000_000,
  model: 'gpt-4o-mini',
  request: chatRequest({ stream: true }),
  reasoningFormat: 'reasoning_content',
  estimatePromptTokens: () => 12,
};

async function* from(events: StreamEvent[]): AsyncIterable<StreamEvent> {
  yield* events;
}

/** The SSE text as `[event, data]` pairs, checking each frame's event name matches its data's type. */
async function frames(events: StreamEvent[]): Promise<[string, Record<string, unknown>][]> {
  const text = (await collect(anthropic.encodeStream(from(events), ctx))).join('');
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      const event = eventLine!.slice('event: '.length);
      const data = JSON.parse(dataLine!.slice('data: '.length)) as Record<string, unknown>;
      expect(data.type).toBe(event);
      return [event, data];
    });
}

const usage = { promptTokens: 30, completionTokens: 5, totalTokens: 35, cachedTokens: 20, cacheWriteTokens: 4 };

describe('anthropic stream encoding', () => {
  test('text: message_start with the estimate, ping, one block, message_delta with usage, message_stop', async () => {
    const out = await frames([
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage },
    ]);
    expect(out).toEqual([
      [
        'message_start',
        {
          type: 'message_start',
          message: {
            id: 'msg_req1',
            type: 'message',
            role: 'assistant',
            model: 'gpt-4o-mini',
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
          },
        },
      ],
      ['ping', { type: 'ping' }],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      [
        'message_delta',
        {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { input_tokens: 6, cache_creation_input_tokens: 4, cache_read_input_tokens: 20, output_tokens: 5 },
        },
      ],
      ['message_stop', { type: 'message_stop' }],
    ]);
  });

  test('thinking with its signature, then text, then two tool calls whose starts came together', async () => {
    const out = await frames([
      { type: 'reasoning', text: 'Hmm.' },
      { type: 'reasoning_signature', signature: 'sig' },
      { type: 'text', text: 'Calling.' },
      { type: 'tool_call_start', index: 0, id: 'c0', name: 'a' },
      { type: 'tool_call_start', index: 1, id: 'c1', name: 'b' },
      { type: 'tool_call_delta', index: 0, arguments: '{"x":' },
      { type: 'tool_call_delta', index: 0, arguments: '1}' },
      { type: 'tool_call_delta', index: 1, arguments: '{}' },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    const body = out.slice(2, -2).map(([event, data]) => [event, data.index, data.content_block ?? data.delta]);
    expect(body).toEqual([
      ['content_block_start', 0, { type: 'thinking', thinking: '', signature: '' }],
      ['content_block_delta', 0, { type: 'thinking_delta', thinking: 'Hmm.' }],
      ['content_block_delta', 0, { type: 'signature_delta', signature: 'sig' }],
      ['content_block_stop', 0, undefined],
      ['content_block_start', 1, { type: 'text', text: '' }],
      ['content_block_delta', 1, { type: 'text_delta', text: 'Calling.' }],
      ['content_block_stop', 1, undefined],
      ['content_block_start', 2, { type: 'tool_use', id: 'c0', name: 'a', input: {} }],
      ['content_block_delta', 2, { type: 'input_json_delta', partial_json: '{"x":' }],
      ['content_block_delta', 2, { type: 'input_json_delta', partial_json: '1}' }],
      ['content_block_stop', 2, undefined],
      ['content_block_start', 3, { type: 'tool_use', id: 'c1', name: 'b', input: {} }],
      ['content_block_delta', 3, { type: 'input_json_delta', partial_json: '{}' }],
      ['content_block_stop', 3, undefined],
    ]);
    expect(out.at(-2)![1]).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 0 } });
    expect(out.at(-2)![1].usage).not.toHaveProperty('input_tokens');
  });

  test('an error ends the stream with an error event in the open block, no message_stop', async () => {
    const out = await frames([
      { type: 'text', text: 'Hi' },
      {
        type: 'error',
        error: new UpstreamError('Upstream error (overloaded_error): Overloaded', { retryable: false, status: 503 }),
      },
    ]);
    expect(out.map(([e]) => e)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'error',
    ]);
    expect(out.at(-1)![1]).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Upstream error (overloaded_error): Overloaded' },
    });
  });
});

describe('anthropic answers and errors', () => {
  const res: ChatResponse = {
    id: 'up-1',
    model: 'gpt-4o-mini',
    created: 1,
    finishReason: 'length',
    message: {
      role: 'assistant',
      content: 'partial',
      reasoning: 'thought',
      reasoningSignature: 'sig-9',
      toolCalls: [{ id: 'call_1', name: 'f', arguments: '{"a":1}' }],
    },
    usage,
  };

  test('a message object: thinking, text, tool_use with parsed input, stop reason and cache usage', () => {
    expect(anthropic.encodeResponse(res, ctx)).toEqual({
      id: 'msg_req1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      content: [
        { type: 'thinking', thinking: 'thought', signature: 'sig-9' },
        { type: 'text', text: 'partial' },
        { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } },
      ],
      stop_reason: 'max_tokens',
      stop_sequence: null,
      usage: { input_tokens: 6, cache_creation_input_tokens: 4, cache_read_input_tokens: 20, output_tokens: 5 },
    });
    const empty = anthropic.encodeResponse(
      { ...res, finishReason: 'tool_calls', message: { role: 'assistant', content: '' } },
      ctx,
    );
    expect(empty.content).toEqual([]);
    expect(empty.stop_reason).toBe('tool_use');
  });

  test('errors carry the Anthropic type for their status', () => {
    const typeOf = (err: GatewayError) => {
      const { status, body } = anthropic.encodeError(err);
      return [status, (JSON.parse(body) as { type: string; error: { type: string } }).error.type];
    };
    expect(typeOf(new InvalidRequest('bad'))).toEqual([400, 'invalid_request_error']);
    expect(typeOf(new Unauthorized())).toEqual([401, 'authentication_error']);
    expect(typeOf(new GatewayError('forbidden', 403, 'no'))).toEqual([403, 'permission_error']);
    expect(typeOf(new GatewayError('not_found', 404, 'no'))).toEqual([404, 'not_found_error']);
    expect(typeOf(new GatewayError('payload_too_large', 413, 'big'))).toEqual([413, 'request_too_large']);
    expect(typeOf(new GatewayError('rate_limited', 429, 'slow'))).toEqual([429, 'rate_limit_error']);
    expect(typeOf(new UpstreamError('down', { retryable: true, status: 503, kind: 'unavailable' }))).toEqual([
      503,
      'overloaded_error',
    ]);
    expect(typeOf(new UpstreamError('bad gateway', { retryable: true }))).toEqual([502, 'api_error']);
    expect(JSON.parse(anthropic.encodeError(new Unauthorized('Invalid API key.')).body)).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'Invalid API key.' },
    });
  });
});
