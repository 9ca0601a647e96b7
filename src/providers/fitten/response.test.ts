import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { upstreamBytes as bytes, collect } from '../../../test/mock-upstream.ts';
import { providerSchema } from '../../config/schema.ts';
import type { Target } from '../types.ts';
import { fitten } from './index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const target: Target = {
  baseUrl: 'https://fc.fittentech.com',
  key: 'u:p',
  upstreamModel: 'fitten-code',
  provider: providerSchema.parse({ name: 'fitten', type: 'fitten', keys: ['u:p'] }),
};

describe('fitten answers', () => {
  test('each line’s delta is a text event, split anywhere across chunks; the end of the stream is the stop', async () => {
    expect(await collect(fitten.chat.decodeStream!(bytes(fixture('chat-stream.ndjson'), 5), target))).toEqual([
      { type: 'text', text: 'Hello' },
      { type: 'text', text: '! How can I' },
      { type: 'text', text: ' help you today?' },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  test('lines that are not JSON are skipped; a usage line becomes usage after the finish', async () => {
    const text = 'not json\n{"delta":"a"}\n{"usage":{"prompt_tokens":3,"completion_tokens":1}}\n';
    expect(await collect(fitten.chat.decodeStream!(bytes(text), target))).toEqual([
      { type: 'text', text: 'a' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 3, completionTokens: 1, totalTokens: 4 } },
    ]);
  });

  test('an error line ends the stream with an upstream error', async () => {
    await expect(
      collect(fitten.chat.decodeStream!(bytes('{"delta":"a"}\n{"error":"quota"}\n'), target)),
    ).rejects.toThrow('Upstream error: quota');
  });

  test('a non-stream answer joins the deltas', () => {
    expect(fitten.chat.decode(fixture('chat-stream.ndjson'), target)).toMatchObject({
      model: 'fitten-code',
      message: { role: 'assistant', content: 'Hello! How can I help you today?' },
      finishReason: 'stop',
    });
  });
});
