import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { collect, upstreamBytes } from '../../../test/mock-upstream.ts';
import { rejection } from '../../../test/provider-tests.ts';
import { providerSchema } from '../../config/schema.ts';
import { UpstreamError } from '../../core/errors.ts';
import type { StreamEvent } from '../../core/types.ts';
import type { Target } from '../types.ts';
import { gemini } from './index.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const provider = providerSchema.parse({ name: 'google', type: 'gemini', keys: ['k'] });
const target: Target = {
  baseUrl: 'https://generativelanguage.googleapis.com',
  key: 'k',
  upstreamModel: 'gemini-x',
  provider,
};
const CALL_ID = /^call_[0-9a-f]{24}$/;

const decodeStream = (text: string, size?: number): Promise<StreamEvent[]> =>
  collect(gemini.chat.decodeStream!(upstreamBytes(text, size), target));

describe('gemini answers', () => {
  test('a text answer: content, stop, usage, model version and response id', () => {
    const res = gemini.chat.decode(fixture('text.response.json'), target);
    expect(res).toEqual({
      id: 'Wd7maJrKCc6Fz7IPxPCz0QE',
      model: 'gemini-2.5-flash',
      created: expect.any(Number),
      message: { role: 'assistant', content: 'AI learns patterns from data to make predictions or decisions.' },
      finishReason: 'stop',
      usage: { promptTokens: 8, completionTokens: 11, totalTokens: 19 },
    });
  });

  test('thoughts become reasoning with their signature; thought tokens count as completion and reasoning tokens', () => {
    const res = gemini.chat.decode(fixture('thinking.response.json'), target);
    expect(res.message).toEqual({
      role: 'assistant',
      content:
        'The sky is blue because of Rayleigh scattering: air scatters short blue wavelengths far more than red ones.',
      reasoning:
        "**Defining the Scope**\n\nI'm starting with what makes the sky look blue: sunlight scattering off air molecules.\n",
      reasoningSignature: 'CpwCAdHtim9vAbDqQQ7Xr0o5Ffi0ojYVbPHT1E8Z6ZJ4d2rW8yK=',
    });
    expect(res.usage).toEqual({
      promptTokens: 1021,
      completionTokens: 424,
      totalTokens: 1445,
      cachedTokens: 1000,
      reasoningTokens: 402,
    });
  });

  test('parallel function calls get ids of their own and finish as tool_calls; the signature is kept', () => {
    const res = gemini.chat.decode(fixture('parallel-function-calls.response.json'), target);
    expect(res.finishReason).toBe('tool_calls');
    expect(res.message.reasoningSignature).toBe('<Signature A>');
    expect(res.message.toolCalls).toEqual([
      { id: expect.stringMatching(CALL_ID), name: 'power_disco_ball', arguments: '{"power":true}' },
      { id: expect.stringMatching(CALL_ID), name: 'start_music', arguments: '{"energetic":true,"loud":true}' },
      { id: expect.stringMatching(CALL_ID), name: 'dim_lights', arguments: '{"brightness":0.5}' },
    ]);
    expect(new Set(res.message.toolCalls?.map((c) => c.id)).size).toBe(3);
  });

  test('a blocked prompt is an empty content_filter answer; MAX_TOKENS is length, SAFETY content_filter', () => {
    const blocked = gemini.chat.decode(fixture('blocked.response.json'), target);
    expect(blocked.message.content).toBe('');
    expect(blocked.finishReason).toBe('content_filter');
    expect(blocked.usage).toEqual({ promptTokens: 9, completionTokens: 0, totalTokens: 9 });
    const finish = (reason: string) =>
      gemini.chat.decode(
        JSON.stringify({ candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: reason }] }),
        target,
      ).finishReason;
    expect(finish('MAX_TOKENS')).toBe('length');
    expect(finish('SAFETY')).toBe('content_filter');
    expect(finish('RECITATION')).toBe('content_filter');
    expect(finish('OTHER')).toBe('stop');
  });

  test("Google's error bodies give their message; errorMessage never shows the key", () => {
    expect(gemini.errorMessage(400, fixture('api-key-invalid.error.json'))).toBe(
      'API key not valid. Please pass a valid API key.',
    );
    expect(gemini.errorMessage(429, fixture('quota.error.json'))).toMatch(/^You exceeded your current quota/);
    expect(gemini.errorMessage(404, `[${fixture('api-key-invalid.error.json')}]`)).toBe(
      'API key not valid. Please pass a valid API key.',
    );
    expect(gemini.errorMessage(400, '{"error":{"message":"bad key AIzaSyA1234567890abcdefghijklmnop"}}')).not.toContain(
      'AIzaSyA1234567890',
    );
    expect(gemini.errorMessage(502, '<html>Bad Gateway</html>')).toBe('<html>Bad Gateway</html>');
    expect(() => gemini.chat.decode('not json', target)).toThrow(UpstreamError);
  });

  test('a refused API key (400 API_KEY_INVALID) counts as a 401; other 400s stay 400', () => {
    expect(gemini.errorStatus!(400, fixture('api-key-invalid.error.json'))).toBe(401);
    expect(gemini.errorStatus!(400, '{"error":{"code":400,"message":"Invalid JSON payload"}}')).toBe(400);
    expect(gemini.errorStatus!(429, fixture('quota.error.json'))).toBe(429);
  });

  test('batchEmbedContents vectors in input order', () => {
    const res = gemini.embeddings!.decode(fixture('batch-embed.response.json'), target);
    expect(res.data).toEqual([
      [-0.022, 0.0083, 0.0169, -0.0719],
      [0.0131, -0.002, -0.0455, 0.0012],
    ]);
    expect(res.model).toBe('gemini-x');
  });
});

describe('gemini streams', () => {
  test('text chunks split across byte boundaries, then finish and the last chunk’s usage', async () => {
    expect(await decodeStream(fixture('text.stream.sse'), 5)).toEqual([
      { type: 'text', text: 'Once upon a time, in a sun-drenched' },
      { type: 'text', text: ' kitchen, lived a ginger tabby named Marmalade. 🐱' },
      { type: 'text', text: ' The end.' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 7, completionTokens: 632, totalTokens: 639, reasoningTokens: 608 } },
    ]);
  });

  test('a thinking stream: reasoning, text, and the signature from the empty last part', async () => {
    expect(await decodeStream(fixture('thinking.stream.sse'))).toEqual([
      { type: 'reasoning', text: '**Weighing the options**\n\nTwo numbers, one sum.' },
      { type: 'text', text: '2 + 2 = 4.' },
      { type: 'reasoning_signature', signature: 'EqADCp0DAdHtim8=' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 12, completionTokens: 48, totalTokens: 60, reasoningTokens: 41 } },
    ]);
  });

  test('a streamed call is a start and one delta with all arguments, its signature just before it', async () => {
    expect(await decodeStream(fixture('function-call.stream.sse'), 11)).toEqual([
      { type: 'reasoning_signature', signature: '<Signature A>' },
      { type: 'tool_call_start', index: 0, id: expect.stringMatching(CALL_ID), name: 'check_flight' },
      { type: 'tool_call_delta', index: 0, arguments: '{"flight":"AA100"}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { promptTokens: 73, completionTokens: 79, totalTokens: 152, reasoningTokens: 62 } },
    ]);
  });

  test('an error object in the stream ends it with a non-retryable UpstreamError after the text before it', async () => {
    const seen: StreamEvent[] = [];
    const err = await rejection(
      (async () => {
        for await (const e of gemini.chat.decodeStream!(upstreamBytes(fixture('error.stream.sse')), target))
          seen.push(e);
      })(),
    );
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('The model is overloaded');
    expect(seen).toEqual([{ type: 'text', text: 'Once upon' }]);
  });

  test('a stream cut before its finish reason is an error, not a silent end', async () => {
    const first = `${fixture('text.stream.sse').split('\r\n\r\n')[0]}\r\n\r\n`;
    await expect(decodeStream(first)).rejects.toThrow(/ended the stream/);
  });
});
