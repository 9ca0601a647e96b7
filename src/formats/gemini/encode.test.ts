import { describe, expect, test } from 'vitest';
import { collect } from '../../../test/mock-upstream.ts';
import { GatewayError, InvalidRequest, RateLimited, Unauthorized, UpstreamError } from '../../core/errors.ts';
import type { ChatRequest, ChatResponse, StreamEvent } from '../../core/types.ts';
import type { AnswerContext } from '../types.ts';
import { gemini } from './index.ts';

const ctx: AnswerContext = {
  requestId: 'req-1',
  created: 1_700_000_000,
  model: 'gpt-4o-mini',
  request: { model: 'gpt-4o-mini', messages: [], stream: true, includeUsage: true } as ChatRequest,
  reasoningFormat: 'reasoning_content',
  estimatePromptTokens: () => 0,
};

const response = (extra: Partial<ChatResponse> = {}): ChatResponse => ({
  id: 'chatcmpl-1',
  model: 'gpt-4o-mini-2024-07-18',
  created: 1_700_000_000,
  message: { role: 'assistant', content: 'Hello!' },
  finishReason: 'stop',
  usage: { promptTokens: 9, completionTokens: 12, totalTokens: 21 },
  ...extra,
});

async function* events(list: StreamEvent[]): AsyncIterable<StreamEvent> {
  yield* list;
}

/** The JSON of each SSE event of an encoded stream. */
async function chunks(list: StreamEvent[]): Promise<Record<string, unknown>[]> {
  const text = (await collect(gemini.encodeStream(events(list), ctx))).join('');
  expect(text.endsWith('\r\n\r\n')).toBe(true);
  return text
    .split('\r\n\r\n')
    .filter(Boolean)
    .map((e) => {
      expect(e.startsWith('data: ')).toBe(true);
      return JSON.parse(e.slice(6)) as Record<string, unknown>;
    });
}

describe('canonical answers -> GenerateContentResponse', () => {
  test('text, finish reason, usage, model version and response id', () => {
    expect(gemini.encodeResponse(response(), ctx)).toEqual({
      candidates: [{ content: { parts: [{ text: 'Hello!' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 12, totalTokenCount: 21 },
      modelVersion: 'gpt-4o-mini-2024-07-18',
      responseId: 'chatcmpl-1',
    });
  });

  test('reasoning is a thought part first; reasoning tokens are thoughts, apart from candidates; cached tokens kept', () => {
    const wire = gemini.encodeResponse(
      response({
        id: '',
        message: {
          role: 'assistant',
          content: 'Blue light scatters more.',
          reasoning: 'Rayleigh.',
          reasoningSignature: 'sig',
        },
        usage: { promptTokens: 10, completionTokens: 30, totalTokens: 40, cachedTokens: 4, reasoningTokens: 20 },
      }),
      ctx,
    );
    expect(wire).toMatchObject({
      candidates: [
        {
          content: {
            parts: [
              { text: 'Rayleigh.', thought: true },
              { text: 'Blue light scatters more.', thoughtSignature: 'sig' },
            ],
          },
        },
      ],
      usageMetadata: {
        promptTokenCount: 10,
        candidatesTokenCount: 10,
        thoughtsTokenCount: 20,
        cachedContentTokenCount: 4,
        totalTokenCount: 40,
      },
      responseId: 'req-1',
    });
  });

  test('parallel tool calls are functionCall parts with their ids and args objects; the signature on the first', () => {
    const wire = gemini.encodeResponse(
      response({
        finishReason: 'tool_calls',
        message: {
          role: 'assistant',
          content: '',
          reasoningSignature: 'sig-1',
          toolCalls: [
            { id: 'call_a', name: 'power_disco_ball', arguments: '{"power":true}' },
            { id: 'call_b', name: 'dim_lights', arguments: '{"brightness":0.5}' },
          ],
        },
      }),
      ctx,
    );
    expect(wire.candidates).toEqual([
      {
        content: {
          role: 'model',
          parts: [
            {
              functionCall: { id: 'call_a', name: 'power_disco_ball', args: { power: true } },
              thoughtSignature: 'sig-1',
            },
            { functionCall: { id: 'call_b', name: 'dim_lights', args: { brightness: 0.5 } } },
          ],
        },
        finishReason: 'STOP',
        index: 0,
      },
    ]);
  });

  test('finish reasons: length is MAX_TOKENS, content_filter is SAFETY; an empty answer still has a part', () => {
    const length = gemini.encodeResponse(response({ finishReason: 'length' }), ctx) as { candidates: unknown[] };
    expect(length.candidates[0]).toMatchObject({ finishReason: 'MAX_TOKENS' });
    const filtered = gemini.encodeResponse(
      response({ finishReason: 'content_filter', message: { role: 'assistant', content: '' } }),
      ctx,
    );
    expect(filtered.candidates).toEqual([
      { content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'SAFETY', index: 0 },
    ]);
  });
});

describe('canonical events -> Gemini stream chunks', () => {
  test('text chunks as they come, then a last chunk with the finish reason and usage', async () => {
    expect(
      await chunks([
        { type: 'text', text: 'Hel' },
        { type: 'text', text: 'lo' },
        { type: 'finish', reason: 'stop' },
        { type: 'usage', usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 } },
      ]),
    ).toEqual([
      {
        candidates: [{ content: { parts: [{ text: 'Hel' }], role: 'model' }, index: 0 }],
        modelVersion: 'gpt-4o-mini',
        responseId: 'req-1',
      },
      {
        candidates: [{ content: { parts: [{ text: 'lo' }], role: 'model' }, index: 0 }],
        modelVersion: 'gpt-4o-mini',
        responseId: 'req-1',
      },
      {
        candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 },
        modelVersion: 'gpt-4o-mini',
        responseId: 'req-1',
      },
    ]);
  });

  test('streamed tool calls go out whole, parallel ones in one chunk, with the signature that preceded them', async () => {
    const out = await chunks([
      { type: 'reasoning', text: 'Need both.' },
      { type: 'reasoning_signature', signature: 'sig-x' },
      { type: 'tool_call_start', index: 0, id: 'call_1', name: 'a' },
      { type: 'tool_call_delta', index: 0, arguments: '{"x":' },
      { type: 'tool_call_start', index: 1, id: 'call_2', name: 'b' },
      { type: 'tool_call_delta', index: 0, arguments: '1}' },
      { type: 'tool_call_delta', index: 1, arguments: '{}' },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    expect(out.map((c) => (c.candidates as { content: { parts: unknown[] } }[])[0]!.content.parts)).toEqual([
      [{ text: 'Need both.', thought: true }],
      [
        { functionCall: { id: 'call_1', name: 'a', args: { x: 1 } }, thoughtSignature: 'sig-x' },
        { functionCall: { id: 'call_2', name: 'b', args: {} } },
      ],
      [{ text: '' }],
    ]);
    expect(out.at(-1)).toMatchObject({ candidates: [{ finishReason: 'STOP' }] });
    expect(out.at(-1)).not.toHaveProperty('usageMetadata');
  });

  test('a signature after the last text rides on the last chunk', async () => {
    const out = await chunks([
      { type: 'text', text: 'Hi' },
      { type: 'reasoning_signature', signature: 'sig-end' },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(out.at(-1)).toMatchObject({
      candidates: [{ content: { parts: [{ text: '', thoughtSignature: 'sig-end' }] } }],
    });
  });

  test('an error mid-stream ends it with a Gemini error chunk', async () => {
    const out = await chunks([
      { type: 'text', text: 'Hi' },
      { type: 'error', error: new UpstreamError('Upstream ended the stream early.', { retryable: false }) },
    ]);
    expect(out.at(-1)).toEqual({
      error: { code: 502, message: 'Upstream ended the stream early.', status: 'UNAVAILABLE' },
    });
  });
});

describe('errors in Google shape', () => {
  const body = (err: GatewayError) => JSON.parse(gemini.encodeError(err).body) as { error: Record<string, unknown> };

  test('each kind gets its google.rpc status with the HTTP code', () => {
    expect(gemini.encodeError(new Unauthorized()).status).toBe(401);
    expect(body(new Unauthorized())).toEqual({
      error: { code: 401, message: 'Invalid API key.', status: 'UNAUTHENTICATED' },
    });
    expect(body(new InvalidRequest('bad')).error.status).toBe('INVALID_ARGUMENT');
    expect(body(new RateLimited('slow down', 3)).error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    expect(body(new UpstreamError('down', { retryable: true, kind: 'timeout' })).error).toMatchObject({
      code: 504,
      status: 'DEADLINE_EXCEEDED',
    });
    expect(body(new InvalidRequest('no', { status: 404, kind: 'not_found' })).error.status).toBe('NOT_FOUND');
    expect(body(new GatewayError('forbidden', 403, 'no')).error.status).toBe('PERMISSION_DENIED');
  });

  test('an unexpected failure is a 500 INTERNAL that reveals nothing', () => {
    expect(JSON.parse(gemini.streamError(new Error('secret detail')).slice(6))).toEqual({
      error: { code: 500, message: 'Internal gateway error.', status: 'INTERNAL' },
    });
  });
});
