import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { upstreamBytes as bytes, collect } from '../../../test/mock-upstream.ts';
import { providerSchema } from '../../config/schema.ts';
import { UpstreamError } from '../../core/errors.ts';
import type { StreamEvent } from '../../core/types.ts';
import type { Target } from '../types.ts';
import { qianfan } from './index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const target: Target = {
  baseUrl: 'https://aip.baidubce.com',
  key: 'answers-api-key:answers-secret-key',
  upstreamModel: 'ERNIE-Speed-8K',
  provider: providerSchema.parse({ name: 'baidu', type: 'qianfan', keys: ['answers-api-key:answers-secret-key'] }),
};

const GENERATED_ID = /^call_[0-9a-f]{8}$/;

function decodeError(body: string): UpstreamError {
  try {
    qianfan.chat.decode(body, target);
  } catch (err) {
    if (err instanceof UpstreamError) return err;
    throw err;
  }
  throw new Error('expected a throw');
}

async function streamError(text: string): Promise<{ events: StreamEvent[]; error: UpstreamError }> {
  const events: StreamEvent[] = [];
  try {
    for await (const event of qianfan.chat.decodeStream!(bytes(text, 11), target)) events.push(event);
  } catch (err) {
    if (err instanceof UpstreamError) return { events, error: err };
    throw err;
  }
  throw new Error('expected the stream to fail');
}

describe('qianfan answers', () => {
  test('a recorded answer becomes a ChatResponse; "normal" is a stop', () => {
    expect(qianfan.chat.decode(fixture('chat.response.json'), target)).toEqual({
      id: 'as-nn7xd2vdcc',
      model: 'ERNIE-Speed-8K',
      created: 1709216524,
      message: { role: 'assistant', content: '大气中最丰富的气体是氮气，占大气总体积的约78%。' },
      finishReason: 'stop',
      usage: { promptTokens: 6, completionTokens: 17, totalTokens: 23 },
    });
  });

  test('a function call gets an id, its thoughts become reasoning, and it finishes as tool_calls', () => {
    const res = qianfan.chat.decode(fixture('chat-function-call.response.json'), target);
    expect(res.message).toEqual({
      role: 'assistant',
      content: '',
      reasoning: "用户希望我使用echo工具，并且传递给它的参数是'hello world!'。",
      toolCalls: [{ id: expect.stringMatching(GENERATED_ID), name: 'echo', arguments: '{"words":"hello world!"}' }],
    });
    expect(res.finishReason).toBe('tool_calls');
    expect(res.usage).toEqual({ promptTokens: 111, completionTokens: 26, totalTokens: 137 });
  });

  test('truncation is length; a flagged input (need_clear_history) is content_filter', () => {
    const answer = (extra: Record<string, unknown>) =>
      qianfan.chat.decode(JSON.stringify({ id: 'as-1', result: 'x', ...extra }), target).finishReason;
    expect(answer({ finish_reason: 'length' })).toBe('length');
    expect(answer({ is_truncated: true })).toBe('length');
    expect(answer({ need_clear_history: true, ban_round: -1 })).toBe('content_filter');
    expect(answer({ finish_reason: 'content_filter' })).toBe('content_filter');
  });

  test.each([
    ['qps-limit.error.json', { upstreamStatus: 429, status: 429, kind: 'rate_limited', retryable: true }],
    ['rpm-limit.error.json', { upstreamStatus: 429, status: 429, kind: 'rate_limited', retryable: true }],
    ['iam-failed.error.json', { upstreamStatus: 401, status: 502, retryable: true }],
    ['token-invalid.error.json', { upstreamStatus: null, status: 502, retryable: true }],
    ['high-load.error.json', { upstreamStatus: 503, status: 502, retryable: true }],
    ['even-messages.error.json', { upstreamStatus: 400, status: 400, retryable: false }],
  ])('the HTTP 200 error body %s is an UpstreamError %o', (name, expected) => {
    const body = JSON.parse(fixture(name)) as { error_code: number; error_msg: string };
    const err = decodeError(fixture(name));
    expect(err).toMatchObject(expected);
    expect(err.message).toBe(`Upstream 'baidu' answered error ${body.error_code}: ${body.error_msg}`);
  });

  test('a code the gateway does not know may be served elsewhere; it never disables the key', () => {
    expect(decodeError('{"error_code":336004,"error_msg":"no permission"}')).toMatchObject({
      upstreamStatus: null,
      retryable: true,
    });
    expect(decodeError('{"error_code":19,"error_msg":"Open api total request limit reached"}')).toMatchObject({
      upstreamStatus: 403,
      retryable: true,
    });
  });

  test('embeddings come back in input order with their usage', () => {
    expect(
      qianfan.embeddings!.decode(fixture('embeddings.response.json'), { ...target, upstreamModel: 'Embedding-V1' }),
    ).toEqual({
      model: 'Embedding-V1',
      data: [
        [0.018314670771360397, 0.00942440889775753, -0.36294862627983093],
        [0.12037356197834015, 0.04524322971701622, -0.09180305153131485],
      ],
      usage: { promptTokens: 12, completionTokens: 0, totalTokens: 12 },
    });
  });

  test('error bodies yield their message for HTTP errors', () => {
    expect(qianfan.errorMessage(200, fixture('qps-limit.error.json'))).toBe(
      'Open api qps request limit reached (error 18)',
    );
    expect(qianfan.errorMessage(401, fixture('oauth-unknown-client.error.json'))).toBe('unknown client id');
    expect(qianfan.errorMessage(502, 'Bad Gateway')).toBe('Bad Gateway');
  });
});

describe('qianfan streams', () => {
  test('a recorded stream becomes text events, a stop and the usage of its final event', async () => {
    expect(await collect(qianfan.chat.decodeStream!(bytes(fixture('chat-stream.sse'), 13), target))).toEqual([
      { type: 'text', text: '你好，' },
      {
        type: 'text',
        text: '我是一个虚拟语言模型，旨在通过机器学习和自然语言处理技术来回答用户的问题和提供相关信息。',
      },
      { type: 'text', text: '如果你有任何问题或需要帮助，请随时向我提问。' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 2, completionTokens: 36, totalTokens: 38 } },
    ]);
  });

  test('a function call event becomes reasoning, one whole tool call and a tool_calls finish', async () => {
    const answer = JSON.parse(fixture('chat-function-call.response.json'));
    const sse = `data: ${JSON.stringify({ ...answer, is_end: true, sentence_id: 0 })}\n\n`;
    expect(await collect(qianfan.chat.decodeStream!(bytes(sse), target))).toEqual([
      { type: 'reasoning', text: answer.function_call.thoughts },
      { type: 'tool_call_start', index: 0, id: expect.stringMatching(GENERATED_ID), name: 'echo' },
      { type: 'tool_call_delta', index: 0, arguments: '{"words":"hello world!"}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { promptTokens: 111, completionTokens: 26, totalTokens: 137 } },
    ]);
  });

  test('a stream request answered with a JSON error body (HTTP 200) fails with its mapped error', async () => {
    const { events, error } = await streamError(fixture('qps-limit.error.json'));
    expect(events).toEqual([]);
    expect(error).toMatchObject({ upstreamStatus: 429, kind: 'rate_limited' });
    const pretty = await streamError(JSON.stringify(JSON.parse(fixture('iam-failed.error.json')), null, 2));
    expect(pretty.error).toMatchObject({ upstreamStatus: 401 });
  });

  test('an error event in the middle of a stream ends it with that error', async () => {
    const first = fixture('chat-stream.sse').split('\n\n')[0];
    const { events, error } = await streamError(`${first}\n\ndata: ${fixture('high-load.error.json').trim()}\n\n`);
    expect(events).toEqual([{ type: 'text', text: '你好，' }]);
    expect(error.message).toBe("Upstream 'baidu' answered error 336100: try again later");
  });

  test('a stream that ends before its is_end event fails', async () => {
    const first = fixture('chat-stream.sse').split('\n\n')[0];
    const { events, error } = await streamError(`${first}\n\n`);
    expect(events).toHaveLength(1);
    expect(error.message).toMatch(/ended before its final message/);
    expect(error.retryable).toBe(false);
  });
});
