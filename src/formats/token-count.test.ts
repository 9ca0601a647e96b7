import { Tiktoken } from 'js-tiktoken/lite';
import { describe, expect, test, vi } from 'vitest';
import type { ChatRequest } from '../core/types.ts';
import { countPromptTokens, countTextTokens } from './token-count.ts';

const prompt = (content: string): ChatRequest => ({
  model: 'm',
  messages: [{ role: 'user', content }],
  stream: false,
  includeUsage: false,
});

describe('o200k token counts', () => {
  test('ordinary text is counted exactly, with the per-message framing', () => {
    expect(countTextTokens('hello world')).toBe(2);
    // "hello world\n" is 3 tokens, and a message is framed by 3 more.
    expect(countPromptTokens(prompt('hello world'))).toBe(6);
  });

  test('text that reads like a special token is counted as text (it threw: count_tokens answered 500)', () => {
    expect(countTextTokens('<|endoftext|>')).toBeGreaterThan(1);
    expect(countPromptTokens(prompt('a <|endoftext|> b <|endofprompt|>'))).toBeGreaterThan(6);
  });

  test('a run of 200,000 letters is tokenized in slices (whole, the quadratic merge took minutes of CPU)', () => {
    // The tokenizer's merge is quadratic in a piece's length: a long run handed to it would stall the process.
    const encode = Tiktoken.prototype.encode;
    const spy = vi.spyOn(Tiktoken.prototype, 'encode').mockImplementation(function (this: Tiktoken, text, ...rest) {
      if (/\S{65,}|\s{65,}/u.test(text)) throw new Error(`a run of ${text.length} characters sent to the tokenizer`);
      return encode.call(this, text, ...rest);
    });
    try {
      // 'a' × 32 is 4 tokens: 50,000 letters counted in slices, the rest at their rate.
      expect(countTextTokens('a'.repeat(200_000))).toBe(25_000);
      expect(countTextTokens(` ${'🙂'.repeat(30_000)}${' '.repeat(10_000)}x`)).toBeGreaterThan(30_000);
    } finally {
      spy.mockRestore();
    }
  });

  test('past 50,000 characters the rest is counted at the rate of the part tokenized', () => {
    const head = 'The quick brown fox jumps over the lazy dog. '.repeat(1_200).slice(0, 50_000);
    // Digits alone would count at a third of a token each; here they count at the rate of the prose before them.
    expect(countTextTokens(head + '1'.repeat(100_000))).toBe(3 * countTextTokens(head));
  });
});
