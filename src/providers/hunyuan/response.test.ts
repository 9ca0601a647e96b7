import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { upstreamBytes as bytes, collect } from '../../../test/mock-upstream.ts';
import { providerSchema } from '../../config/schema.ts';
import { UpstreamError } from '../../core/errors.ts';
import type { StreamEvent } from '../../core/types.ts';
import type { Target } from '../types.ts';
import { hunyuan } from './index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const target: Target = {
  baseUrl: 'https://hunyuan.tencentcloudapi.com',
  key: 'AKIDexample:secret-example',
  upstreamModel: 'hunyuan-functioncall',
  provider: providerSchema.parse({ name: 'tencent', type: 'hunyuan', keys: ['AKIDexample:secret-example'] }),
};

const GENERATED_ID = /^call_[0-9a-f]{8}$/;

function decodeError(body: string): UpstreamError {
  try {
    hunyuan.chat.decode(body, target);
  } catch (err) {
    if (err instanceof UpstreamError) return err;
    throw err;
  }
  throw new Error('expected a throw');
}

const errorBody = (code: string, message = 'something') =>
  JSON.stringify({ Response: { RequestId: 'r-1', Error: { Code: code, Message: message } } });

async function streamFailure(text: string): Promise<{ events: StreamEvent[]; error: UpstreamError }> {
  const events: StreamEvent[] = [];
  try {
    for await (const event of hunyuan.chat.decodeStream!(bytes(text, 17), target)) events.push(event);
  } catch (err) {
    if (err instanceof UpstreamError) return { events, error: err };
    throw err;
  }
  throw new Error('expected the stream to fail');
}

describe('hunyuan answers', () => {
  test('documented example 8: the answer inside Response becomes a ChatResponse', () => {
    expect(hunyuan.chat.decode(fixture('chat.response.json'), target)).toEqual({
      id: '5a112898-d802-4bca-8ba2-7ce2388b98e8',
      model: 'hunyuan-functioncall',
      created: 1719822322,
      message: {
        role: 'assistant',
        content:
          '北京今天的天气情况是：\n温度：35摄氏度\n风向：南\n天气状况：暴雨\n\n深圳今天的天气情况是：\n温度：35摄氏度\n风向：南\n天气状况：暴雨',
      },
      finishReason: 'stop',
      usage: { promptTokens: 71, completionTokens: 42, totalTokens: 113 },
    });
  });

  test('documented example 6: a tool call without an Id gets one; the content before it is kept', () => {
    const res = hunyuan.chat.decode(fixture('chat-tools.response.json'), target);
    expect(res.message.toolCalls).toEqual([
      {
        id: expect.stringMatching(GENERATED_ID),
        name: 'get_current_weather',
        arguments: '{"location":["北京","深圳"],"unit":"celsius"}',
      },
    ]);
    expect(res.message.content).toMatch(/^使用get_current_weather工具/);
    expect(res.finishReason).toBe('tool_calls');
    expect(res.id).toBe('e7f5ce41-87fd-4977-803c-54cded687cd9');
  });

  test('sensitive is content_filter; reasoning content is kept', () => {
    const res = hunyuan.chat.decode(
      JSON.stringify({
        Response: {
          Choices: [
            { Message: { Role: 'assistant', Content: '', ReasoningContent: 'hmm' }, FinishReason: 'sensitive' },
          ],
        },
      }),
      target,
    );
    expect(res.finishReason).toBe('content_filter');
    expect(res.message.reasoning).toBe('hmm');
  });

  test('documented example 3: Response.Error in an HTTP 200 is a 400 the client sees, not retried', () => {
    const err = decodeError(fixture('error.json'));
    expect(err).toMatchObject({ status: 400, upstreamStatus: 400, retryable: false });
    expect(err.message).toBe("Upstream 'tencent' answered InvalidParameter: Temperature must be 2 or less");
  });

  test.each([
    ['AuthFailure.SignatureFailure', { upstreamStatus: 401, retryable: true }],
    ['AuthFailure.SecretIdNotFound', { upstreamStatus: 401, retryable: true }],
    ['UnauthorizedOperation', { upstreamStatus: 401, retryable: true }],
    ['RequestLimitExceeded', { upstreamStatus: 429, status: 429, kind: 'rate_limited', retryable: true }],
    ['FailedOperation.EngineServerLimitExceeded', { upstreamStatus: 429, status: 429, retryable: true }],
    ['LimitExceeded', { upstreamStatus: 429, retryable: true }],
    ['ResourceInsufficient.ChargeResourceExhaust', { upstreamStatus: 403, retryable: true }],
    ['FailedOperation.ServiceNotActivated', { upstreamStatus: 403, retryable: true }],
    ['ResourceUnavailable.InArrears', { upstreamStatus: 403, retryable: true }],
    ['InternalError', { upstreamStatus: 503, retryable: true }],
    ['FailedOperation.EngineRequestTimeout', { upstreamStatus: 503, retryable: true }],
    ['InvalidParameterValue.Model', { upstreamStatus: null, retryable: true }],
    ['OperationDenied.TextIllegalDetected', { upstreamStatus: 400, status: 400, retryable: false }],
    ['AuthFailure.SignatureExpire', { upstreamStatus: null, retryable: false }],
    ['SomethingNew', { upstreamStatus: null, retryable: true }],
  ])('error code %s is an UpstreamError %o', (code, expected) => {
    expect(decodeError(errorBody(code))).toMatchObject(expected);
  });

  test('error bodies yield their message for HTTP errors', () => {
    expect(hunyuan.errorMessage(200, fixture('error.json'))).toBe('Temperature must be 2 or less (InvalidParameter)');
    expect(hunyuan.errorMessage(502, '<html>bad gateway</html>')).toBe('<html>bad gateway</html>');
  });
});

describe('hunyuan streams', () => {
  test('documented example 4: deltas become text, the stop a finish, the last usage comes after it', async () => {
    expect(await collect(hunyuan.chat.decodeStream!(bytes(fixture('chat-stream.sse'), 9), target))).toEqual([
      { type: 'text', text: '1' },
      { type: 'text', text: '+' },
      { type: 'text', text: '1' },
      { type: 'text', text: '=' },
      { type: 'text', text: '2' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 4, completionTokens: 5, totalTokens: 9 } },
    ]);
  });

  test('documented example 7: a tool call merged by Id (name, then arguments), then content and tool_calls', async () => {
    expect(await collect(hunyuan.chat.decodeStream!(bytes(fixture('chat-tools-stream.sse')), target))).toEqual([
      { type: 'tool_call_start', index: 0, id: 'call_cq154vk2c3m1v7ep3530', name: 'get_current_weather' },
      { type: 'tool_call_delta', index: 0, arguments: '{"location":"北京"}' },
      {
        type: 'text',
        text: '计划使用get_current_weather工具来获取北京和深圳的当前天气。\n\t\n\t用户想要知道北京和深圳今天的天气情况。用户的请求是关于天气的查询，需要使用天气查询工具来获取信息。',
      },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { promptTokens: 6, completionTokens: 46, totalTokens: 52 } },
    ]);
  });

  test('a stream request answered with a JSON Response.Error fails with the mapped error', async () => {
    const { events, error } = await streamFailure(errorBody('RequestLimitExceeded', 'too many'));
    expect(events).toEqual([]);
    expect(error).toMatchObject({ upstreamStatus: 429, kind: 'rate_limited' });
    const documented = await streamFailure(fixture('error.json'));
    expect(documented.error).toMatchObject({ status: 400, retryable: false });
  });

  test('an ErrorMsg event ends the stream; one reporting success does not', async () => {
    const first = fixture('chat-stream.sse').split('\n\n')[0];
    const failed = `${first}\n\ndata: ${JSON.stringify({ ErrorMsg: { Code: 2001, Msg: 'engine error' } })}\n\n`;
    const { events, error } = await streamFailure(failed);
    expect(events).toEqual([{ type: 'text', text: '1' }]);
    expect(error.message).toBe("Upstream 'tencent' stream failed (2001): engine error");
    const benign = `data: ${JSON.stringify({ ErrorMsg: { Code: 3597823239, Msg: 'success' }, Choices: [{ Delta: { Content: 'ok' }, FinishReason: 'stop' }] })}\n\n`;
    expect(await collect(hunyuan.chat.decodeStream!(bytes(benign), target))).toEqual([
      { type: 'text', text: 'ok' },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  test('a stream that ends before a FinishReason fails', async () => {
    const first = fixture('chat-stream.sse').split('\n\n')[0];
    const { error } = await streamFailure(`${first}\n\n`);
    expect(error.message).toMatch(/ended before its final message/);
  });
});
