import { describe, expect, test } from 'vitest';
import { findUsage, SseUsageScanner } from './scan.ts';

const chunk = (content: string) =>
  `data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}],"usage":null}\n\n`;
const usageChunk =
  'data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,"prompt_tokens_details":{"cached_tokens":4}}}\n\n';

/** What the client receives: forwarded events, then what was held, then the closing event held back till last. */
function run(scanner: SseUsageScanner, pieces: string[]): string {
  let out = '';
  for (const p of pieces) out += scanner.push(Buffer.from(p))?.toString() ?? '';
  return out + (scanner.flush()?.toString() ?? '') + (scanner.closing?.toString() ?? '');
}

describe('SSE usage scanner', () => {
  test('forwards content chunks unchanged and reads the usage chunk', () => {
    const scanner = new SseUsageScanner(false);
    const input = [chunk('Hel'), chunk('lo'), usageChunk, 'data: [DONE]\n\n'];
    expect(run(scanner, input)).toBe(input.join(''));
    expect(scanner.usage).toEqual({ promptTokens: 9, completionTokens: 3, totalTokens: 12, cachedTokens: 4 });
    expect(scanner.done).toBe(true);
  });

  test('strips the usage-only chunk the client did not ask for', () => {
    const scanner = new SseUsageScanner(true);
    const out = run(scanner, [chunk('Hi'), usageChunk, 'data: [DONE]\n\n']);
    expect(out).toBe(chunk('Hi') + 'data: [DONE]\n\n');
    expect(scanner.usage?.totalTokens).toBe(12);
  });

  test('an event split across network chunks is held until complete', () => {
    const scanner = new SseUsageScanner(true);
    const whole = chunk('A') + usageChunk + 'data: [DONE]\n\n';
    const pieces = [whole.slice(0, 10), whole.slice(10, 150), whole.slice(150, 200), whole.slice(200)];
    const outputs = pieces.map((p) => scanner.push(Buffer.from(p))?.toString() ?? '');
    expect(outputs[0]).toBe('');
    expect(outputs.join('')).toBe(chunk('A')); // [DONE] is held back for the relay to send last
    expect(scanner.closing?.toString()).toBe('data: [DONE]\n\n');
    expect(scanner.usage?.promptTokens).toBe(9);
  });

  test('usage chunk and [DONE] in one network chunk: usage read, chunk stripped, done seen', () => {
    const scanner = new SseUsageScanner(true);
    expect(run(scanner, [chunk('x') + usageChunk + 'data: [DONE]\n\n'])).toBe(chunk('x') + 'data: [DONE]\n\n');
    expect(scanner.usage?.totalTokens).toBe(12);
    expect(scanner.done).toBe(true);
  });

  test('the text "usage": {…} inside content is not taken for usage', () => {
    const scanner = new SseUsageScanner(true);
    const sneaky = chunk('{"usage":{"prompt_tokens":999}}');
    expect(run(scanner, [sneaky])).toBe(sneaky);
    expect(scanner.usage).toBeUndefined();
  });

  test('a stream without [DONE] is not marked done', () => {
    const scanner = new SseUsageScanner(false);
    run(scanner, [chunk('x')]);
    expect(scanner.done).toBe(false);
  });

  test('usage on a content chunk (vLLM, DeepSeek style) is read and kept', () => {
    const scanner = new SseUsageScanner(true);
    const last =
      'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}\r\n\r\n';
    expect(run(scanner, [last])).toBe(last);
    expect(scanner.usage?.completionTokens).toBe(2);
  });
});

describe('findUsage in a JSON answer', () => {
  test('reads the usage object of a chat completion', () => {
    const body = Buffer.from(
      JSON.stringify({
        id: 'x',
        choices: [{ message: { content: 'say "usage": {' } }],
        usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
      }),
    );
    expect(findUsage(body)).toEqual({ promptTokens: 5, completionTokens: 7, totalTokens: 12 });
  });

  test('no usage, or usage null, gives nothing', () => {
    expect(findUsage('{"choices":[]}')).toBeUndefined();
    expect(findUsage('{"usage":null}')).toBeUndefined();
  });
});
