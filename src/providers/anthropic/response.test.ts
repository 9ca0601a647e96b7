import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { collect, upstreamBytes } from '../../../test/mock-upstream.ts';
import { rejection } from '../../../test/provider-tests.ts';
import { providerSchema } from '../../config/schema.ts';
import { UpstreamError } from '../../core/errors.ts';
import type { StreamEvent } from '../../core/types.ts';
import type { Target } from '../types.ts';
import { anthropic } from './index.ts';

const text = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const target: Target = {
  baseUrl: 'https://api.anthropic.com',
  key: 'sk-ant-test',
  upstreamModel: 'claude-sonnet-4-6',
  provider: providerSchema.parse({ name: 'claude', type: 'anthropic', keys: ['sk-ant-test'] }),
};

const decodeStream = (body: string, size = 7): Promise<StreamEvent[]> =>
  collect(anthropic.chat.decodeStream!(upstreamBytes(body, size), target));

describe('anthropic answers', () => {
  test('parallel tool_use blocks become tool calls; cache reads and writes count into prompt tokens', () => {
    const res = anthropic.chat.decode(text('parallel-tools.response.json'), target);
    expect(res).toMatchObject({
      id: 'msg_01Aq9w938a90dw8q',
      model: 'claude-sonnet-4-5-20250929',
      finishReason: 'tool_calls',
      message: {
        role: 'assistant',
        content: "I'll check the weather and time in both cities.",
        toolCalls: [
          { id: 'toolu_01', name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' },
          { id: 'toolu_02', name: 'get_time', arguments: '{"timezone":"America/New_York"}' },
        ],
      },
      usage: {
        promptTokens: 2098,
        completionTokens: 143,
        totalTokens: 2241,
        cachedTokens: 1800,
        cacheWriteTokens: 248,
      },
    });
  });

  test('thinking and its signature, stop reasons and an empty answer', () => {
    const res = anthropic.chat.decode(
      JSON.stringify({
        id: 'msg_1',
        content: [
          { type: 'thinking', thinking: 'Let me think.', signature: 'sig-1' },
          { type: 'text', text: 'Done' },
        ],
        stop_reason: 'stop_sequence',
        stop_sequence: '###',
        usage: { input_tokens: 3, output_tokens: 4 },
      }),
      target,
    );
    expect(res.message).toEqual({
      role: 'assistant',
      content: 'Done',
      reasoning: 'Let me think.',
      reasoningSignature: 'sig-1',
    });
    expect(res.finishReason).toBe('stop');
    expect(res.model).toBe('claude-sonnet-4-6');
    const empty = anthropic.chat.decode(JSON.stringify({ content: [], stop_reason: 'max_tokens' }), target);
    expect(empty.message.content).toBe('');
    expect(empty.finishReason).toBe('length');
  });

  test("error bodies: the message of Anthropic's error object; 529 overloaded counts as a 503", () => {
    expect(anthropic.errorMessage(401, text('authentication.error.json'))).toBe('invalid x-api-key');
    expect(anthropic.errorStatus!(529, '{}')).toBe(503);
    expect(anthropic.errorStatus!(429, '{}')).toBe(429);
  });
});

describe('anthropic streams', () => {
  test('the documented tool-use stream: text, then a tool call rebuilt from input_json_delta, split anywhere', async () => {
    for (const size of [1, 7, 64]) {
      const events = await decodeStream(text('tool-use.stream.sse'), size);
      const streamed = events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('');
      expect(streamed).toBe("Okay, let's check the weather for San Francisco, CA:");
      expect(events.filter((e) => e.type === 'tool_call_start')).toEqual([
        { type: 'tool_call_start', index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather' },
      ]);
      const args = events.flatMap((e) => (e.type === 'tool_call_delta' ? [e.arguments] : [])).join('');
      expect(JSON.parse(args)).toEqual({ location: 'San Francisco, CA', unit: 'fahrenheit' });
      expect(events.slice(-2)).toEqual([
        { type: 'finish', reason: 'tool_calls' },
        { type: 'usage', usage: { promptTokens: 472, completionTokens: 89, totalTokens: 561 } },
      ]);
    }
  });

  test('a thinking stream: reasoning deltas, the signature, text, and cache reads in usage', async () => {
    const events = await decodeStream(text('thinking.stream.sse'));
    const reasoning = events.flatMap((e) => (e.type === 'reasoning' ? [e.text] : [])).join('');
    expect(reasoning).toContain('So GCD(1071, 462) = 21');
    expect(events.filter((e) => e.type === 'reasoning_signature')).toEqual([
      { type: 'reasoning_signature', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...' },
    ]);
    expect(events.find((e) => e.type === 'text')).toEqual({
      type: 'text',
      text: 'The greatest common divisor of 1071 and 462 is **21**.',
    });
    expect(events.at(-1)).toEqual({
      type: 'usage',
      usage: { promptTokens: 2060, completionTokens: 94, totalTokens: 2154, cachedTokens: 2048 },
    });
  });

  test('an error event mid-stream ends it with an error event carrying the message', async () => {
    const events = await decodeStream(text('error.stream.sse'));
    expect(events[0]).toEqual({ type: 'text', text: 'Hello' });
    const last = events.at(-1)!;
    expect(last.type).toBe('error');
    const error = (last as { error: Error }).error;
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toBe('Upstream error (overloaded_error): Overloaded');
  });

  test('a stream cut before message_stop is an upstream failure', async () => {
    const cut = text('tool-use.stream.sse').split('event: message_delta')[0]!;
    const err = await rejection(decodeStream(cut));
    expect(err.message).toContain('before message_stop');
  });
});
