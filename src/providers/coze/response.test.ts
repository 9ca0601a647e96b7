import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { upstreamBytes as bytes, collect } from '../../../test/mock-upstream.ts';
import { thrown } from '../../../test/provider-tests.ts';
import { providerSchema } from '../../config/schema.ts';
import { UpstreamError } from '../../core/errors.ts';
import type { Target } from '../types.ts';
import { coze } from './index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const target: Target = {
  baseUrl: 'https://api.coze.com',
  key: 'pat_x',
  upstreamModel: '7379462189365198898',
  provider: providerSchema.parse({ name: 'bots', type: 'coze', keys: ['pat_x'] }),
};

const streamOf = (text: string) => collect(coze.chat.decodeStream!(bytes(text), target));

async function streamFailure(text: string): Promise<UpstreamError> {
  try {
    await streamOf(text);
  } catch (err) {
    if (err instanceof UpstreamError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('coze streams', () => {
  test("the SDK's documented stream: answer deltas, then finish and usage from chat.completed", async () => {
    expect(await streamOf(fixture('chat-stream.sse'))).toEqual([
      { type: 'text', text: '2' },
      { type: 'text', text: '0' },
      { type: 'text', text: '星期三' },
      { type: 'text', text: '。' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 614, completionTokens: 19, totalTokens: 633 } },
    ]);
  });

  test('reasoning_content becomes reasoning; verbose and follow_up messages are not answer text', async () => {
    expect(await streamOf(fixture('chat-reasoning.sse'))).toEqual([
      { type: 'reasoning', text: '用户问的是' },
      { type: 'reasoning', text: '日期。' },
      { type: 'text', text: '星期三。' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 100, completionTokens: 20, totalTokens: 120 } },
    ]);
  });

  test('chat.failed throws its last_error code, mapped (5000: an upstream fault another deployment may not have)', async () => {
    const err = await streamFailure(fixture('chat-failed.sse'));
    expect(err.message).toBe("Upstream 'bots' answered error 5000: event interval error");
    expect(err).toMatchObject({ upstreamStatus: 500, status: 502, retryable: true });
  });

  test('an error event carries its code: 4010 (prompt too long) is the client’s 400', async () => {
    const err = await streamFailure('event:error\ndata:{"code":4010,"msg":"prompt too long"}\n\n');
    expect(err).toMatchObject({ upstreamStatus: 400, status: 400, retryable: false });
  });

  test('a stream that ends before chat.completed is an error, not a silent stop', async () => {
    const cut = fixture('chat-stream.sse').split('event:conversation.chat.completed')[0]!;
    expect((await streamFailure(cut)).message).toMatch(/ended before the chat completed/);
  });

  test('an answer message that completes without deltas still gives its text; a second answer is set apart', async () => {
    const message = (id: string, content: string) =>
      `event:conversation.message.completed\ndata:${JSON.stringify({ id, role: 'assistant', type: 'answer', content, content_type: 'text' })}\n\n`;
    const events = await streamOf(
      `${message('m1', 'first')}${message('m2', 'second')}event:conversation.chat.completed\ndata:{"status":"completed"}\n\n`,
    );
    expect(events.filter((e) => e.type === 'text')).toEqual([
      { type: 'text', text: 'first' },
      { type: 'text', text: '\n\nsecond' },
    ]);
  });
});

describe('coze whole answers and errors', () => {
  test('a non-stream answer is assembled from the stream', () => {
    expect(coze.chat.decode(fixture('chat-reasoning.sse'), target)).toMatchObject({
      id: '',
      model: '7379462189365198898',
      message: { role: 'assistant', content: '星期三。', reasoning: '用户问的是日期。' },
      finishReason: 'stop',
      usage: { promptTokens: 100, completionTokens: 20, totalTokens: 120 },
    });
  });

  test.each([
    [4100, 401, 502, true],
    [4101, 403, 502, true],
    [4006, 404, 404, false],
    [4200, 404, 404, false],
    [4009, 429, 429, true],
    [4000, 400, 400, false],
    [4013, 502, 502, true],
    [123456, 502, 502, true],
  ])(
    'an HTTP 200 body with code %i means upstream status %i (client %i, retryable %s)',
    (code, upstream, client, retry) => {
      const err = thrown(() => coze.chat.decode(JSON.stringify({ code, msg: 'm' }), target)) as UpstreamError;
      expect(err).toMatchObject({ upstreamStatus: upstream, status: client, retryable: retry });
      expect(err.message).toBe(`Upstream 'bots' answered error ${code}: m`);
    },
  );

  test("an HTTP error's status and message come from its code", () => {
    const body = fixture('error-4100.json');
    expect(coze.errorStatus!(401, body)).toBe(401);
    expect(coze.errorStatus!(400, '{"code":4200,"msg":"not found"}')).toBe(404);
    expect(coze.errorStatus!(500, 'not json')).toBe(500);
    expect(coze.errorMessage(401, body)).toBe('authentication is invalid (code 4100)');
  });
});
