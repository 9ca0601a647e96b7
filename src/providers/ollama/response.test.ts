import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { upstreamBytes as bytes, collect } from '../../../test/mock-upstream.ts';
import { providerSchema } from '../../config/schema.ts';
import { UpstreamError } from '../../core/errors.ts';
import type { StreamEvent } from '../../core/types.ts';
import type { Target } from '../types.ts';
import { ollama } from './index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const target: Target = {
  baseUrl: 'http://localhost:11434',
  key: undefined,
  upstreamModel: 'llama3.2',
  provider: providerSchema.parse({ name: 'local', type: 'ollama' }),
};

const GENERATED_ID = /^call_[0-9a-f]{8}$/;

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

describe('ollama answers', () => {
  test('a chat answer becomes a ChatResponse with usage from the eval counts', () => {
    expect(ollama.chat.decode(fixture('chat.response.json'), target)).toEqual({
      id: '',
      model: 'llama3.2',
      created: seconds('2023-12-12T14:13:43.416799Z'),
      message: { role: 'assistant', content: 'Hello! How are you today?' },
      finishReason: 'stop',
      usage: { promptTokens: 26, completionTokens: 298, totalTokens: 324 },
    });
  });

  test('tool calls get ids and JSON-text arguments, and finish as tool_calls', () => {
    const res = ollama.chat.decode(fixture('chat-tools.response.json'), target);
    expect(res.message.toolCalls).toEqual([
      { id: expect.stringMatching(GENERATED_ID), name: 'get_weather', arguments: '{"city":"Tokyo"}' },
    ]);
    expect(res.finishReason).toBe('tool_calls');
    expect(res.usage).toEqual({ promptTokens: 169, completionTokens: 18, totalTokens: 187 });
  });

  test("an id Ollama gives is kept; thinking becomes reasoning; 'length' stays length", () => {
    const res = ollama.chat.decode(
      JSON.stringify({
        model: 'qwen3',
        message: {
          role: 'assistant',
          content: '',
          thinking: 'Look it up.',
          tool_calls: [{ id: 'call_x1y2z3w4', function: { index: 0, name: 'search', arguments: { q: 'r' } } }],
        },
        done: true,
        done_reason: 'length',
        eval_count: 5,
      }),
      target,
    );
    expect(res.message).toEqual({
      role: 'assistant',
      content: '',
      reasoning: 'Look it up.',
      toolCalls: [{ id: 'call_x1y2z3w4', name: 'search', arguments: '{"q":"r"}' }],
    });
    expect(res.finishReason).toBe('length');
    expect(res.usage).toEqual({ promptTokens: 0, completionTokens: 5, totalTokens: 5 });
  });

  test('structured output arrives as content text', () => {
    const res = ollama.chat.decode(fixture('chat-structured.response.json'), target);
    expect(JSON.parse(res.message.content as string)).toEqual({ age: 22, available: false });
  });

  test('an answer without counts has no usage rather than zero usage', () => {
    const res = ollama.chat.decode(
      '{"model":"llama3.2","message":{"role":"assistant","content":""},"done_reason":"load","done":true}',
      target,
    );
    expect(res.usage).toBeUndefined();
    expect(res.finishReason).toBe('stop');
  });

  test('an error body is an UpstreamError; errorMessage reads it', () => {
    expect(() => ollama.chat.decode(fixture('error.json'), target)).toThrow(UpstreamError);
    expect(ollama.errorMessage(500, fixture('error.json'))).toBe('the model failed to generate a response');
    expect(ollama.errorMessage(502, 'Bad Gateway')).toBe('Bad Gateway');
  });

  test('a generate answer becomes a CompletionResponse', () => {
    expect(ollama.completions!.decode(fixture('generate.response.json'), target)).toEqual({
      id: '',
      model: 'codellama:code',
      created: seconds('2024-07-22T20:47:51.147561Z'),
      text: '\n  if a == 0:\n    return b\n  else:\n    return compute_gcd(b % a, a)\n\ndef compute_lcm(a, b):\n  result = (a * b) / compute_gcd(a, b)\n',
      finishReason: 'stop',
      usage: { promptTokens: 17, completionTokens: 63, totalTokens: 80 },
    });
  });

  test('embeddings come back as float vectors in input order with prompt usage', () => {
    const res = ollama.embeddings!.decode(fixture('embed.response.json'), target);
    expect(res.model).toBe('all-minilm');
    expect(res.data).toHaveLength(2);
    expect(res.data[0]).toHaveLength(10);
    expect((res.data[1] as number[])[0]).toBe(-0.0098027075);
    expect(res.usage).toEqual({ promptTokens: 8, completionTokens: 0, totalTokens: 8 });
  });
});

describe('ollama streams', () => {
  test('a chat stream yields text, then finish and usage from the final line', async () => {
    expect(await collect(ollama.chat.decodeStream!(bytes(fixture('chat-stream.ndjson')), target))).toEqual([
      { type: 'text', text: 'The' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 26, completionTokens: 282, totalTokens: 308 } },
    ]);
  });

  test('a streamed tool call is one start and one delta with the whole arguments, finishing as tool_calls', async () => {
    expect(await collect(ollama.chat.decodeStream!(bytes(fixture('chat-stream-tools.ndjson')), target))).toEqual([
      { type: 'tool_call_start', index: 0, id: expect.stringMatching(GENERATED_ID), name: 'get_weather' },
      { type: 'tool_call_delta', index: 0, arguments: '{"city":"Tokyo"}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { promptTokens: 169, completionTokens: 15, totalTokens: 184 } },
    ]);
  });

  test('thinking streams as reasoning before the answer text', async () => {
    expect(await collect(ollama.chat.decodeStream!(bytes(fixture('chat-thinking-stream.ndjson'), 5), target))).toEqual([
      { type: 'reasoning', text: '17 × 23 = 17 × 20 + 17 × 3' },
      { type: 'reasoning', text: ' = 340 + 51 = 391.' },
      { type: 'text', text: '17 × 23 is **391**.' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 18, completionTokens: 96, totalTokens: 114 } },
    ]);
  });

  test('tool calls over several lines get increasing indexes', async () => {
    const line = (name: string) =>
      JSON.stringify({
        message: { role: 'assistant', content: '', tool_calls: [{ function: { name, arguments: {} } }] },
      });
    const text = `${line('a')}\n${line('b')}\n{"done":true,"done_reason":"stop","prompt_eval_count":1,"eval_count":2}\n`;
    const events = await collect(ollama.chat.decodeStream!(bytes(text), target));
    expect(events.filter((e) => e.type === 'tool_call_start').map((e) => [e.index, e.name])).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
  });

  test('a generate stream yields its text, the text on the done line included', async () => {
    const events = await collect(ollama.completions!.decodeStream!(bytes(fixture('generate-stream.ndjson')), target));
    expect(
      events
        .filter((e) => e.type === 'text')
        .map((e) => e.text)
        .join(''),
    ).toBe("That's a fantastic question!");
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  test('an error line ends the stream with a non-retryable UpstreamError after the text before it', async () => {
    const seen: StreamEvent[] = [];
    const run = async () => {
      for await (const e of ollama.completions!.decodeStream!(bytes(fixture('generate-stream-error.ndjson')), target))
        seen.push(e);
    };
    const err = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).retryable).toBe(false);
    expect((err as UpstreamError).message).toContain('an error was encountered while running the model');
    expect(seen.map((e) => (e.type === 'text' ? e.text : e.type)).join('')).toBe(' Yes.Ican');
  });

  test('a stream that ends before its done line is an error, not a silent cut', async () => {
    const cut = fixture('chat-stream.ndjson').split('\n')[0] ?? '';
    await expect(collect(ollama.chat.decodeStream!(bytes(cut), target))).rejects.toThrow(/ended before/);
  });

  test('a line that is not JSON is an error', async () => {
    await expect(collect(ollama.chat.decodeStream!(bytes('<html>oops</html>\n'), target))).rejects.toThrow(
      UpstreamError,
    );
  });
});
