import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { bodyOf as body, chatRequest, thrown } from '../../../test/provider-tests.ts';
import { type ProviderConfig, providerSchema } from '../../config/schema.ts';
import { InvalidRequest, UpstreamError } from '../../core/errors.ts';
import type { ChatRequest, ToolDefinition } from '../../core/types.ts';
import type { Target } from '../types.ts';
import { tc3Authorization } from './auth.ts';
import { hunyuan } from './index.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

function target(
  upstreamModel = 'hunyuan-pro',
  extra: Partial<ProviderConfig> = {},
  key = 'AKIDexample:secret-example',
): Target {
  const provider = providerSchema.parse({ name: 'tencent', type: 'hunyuan', keys: [key], ...extra });
  return { baseUrl: provider.base_url ?? 'https://hunyuan.tencentcloudapi.com', key, upstreamModel, provider };
}

const chat = (extra: Partial<ChatRequest> = {}): ChatRequest => chatRequest({ model: 'hy', ...extra });

const weather: ToolDefinition = {
  name: 'get_current_weather',
  description: '获取当前地点的天气',
  parameters: {
    type: 'object',
    properties: {
      location: { type: 'string', description: '城市名称' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    },
    required: ['location'],
  },
};

afterEach(() => {
  vi.useRealTimers();
});

describe('hunyuan requests', () => {
  test('documented example 1 becomes one signed POST to / with the ChatCompletions action headers', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(1705634813_000));
    const call = hunyuan.chat.encode(
      chat({
        stream: true,
        temperature: 1,
        topP: 1,
        messages: [
          {
            role: 'system',
            content:
              '将英文单词转换为包括中文翻译、英文释义和一个例句的完整解释。请检查所有信息是否准确，并在回答时保持简洁，不需要任何其他反馈。',
          },
          { role: 'user', content: 'nice' },
        ],
      }),
      target(),
    );
    expect(call.url).toBe('https://hunyuan.tencentcloudapi.com/');
    expect(call.body).toBe(JSON.stringify(fixture('chat-system.request.json')));
    expect(call.headers).toEqual({
      'content-type': 'application/json',
      'x-tc-action': 'ChatCompletions',
      'x-tc-version': '2023-09-01',
      'x-tc-timestamp': '1705634813',
      authorization:
        'TC3-HMAC-SHA256 Credential=AKIDexample/2024-01-19/hunyuan/tc3_request, SignedHeaders=content-type;host, Signature=76ff913869dffd04181cf6de5885e17b26a6c049e543832032fb9e4128e5cf77',
    });
    expect(JSON.stringify(call)).not.toContain('secret-example');
  });

  test('the signature covers the host of a configured base_url (port included) and its extra headers go along', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(1719822322_000));
    const t = target('hunyuan-lite', { base_url: 'https://tencent-proxy.internal:8443', headers: { 'x-team': 'a' } });
    const call = hunyuan.chat.encode(chat(), t);
    expect(call.url).toBe('https://tencent-proxy.internal:8443/');
    expect(call.headers['x-team']).toBe('a');
    expect(call.headers.authorization).toBe(
      tc3Authorization({
        secretId: 'AKIDexample',
        secretKey: 'secret-example',
        service: 'hunyuan',
        host: 'tencent-proxy.internal:8443',
        contentType: 'application/json',
        payload: call.body!,
        timestamp: 1719822322,
      }),
    );
  });

  test('documented example 8: a tool round trip with ToolCalls by Id and the tool result by ToolCallId', () => {
    const call = hunyuan.chat.encode(
      chat({
        tools: [weather],
        toolChoice: 'auto',
        messages: [
          { role: 'user', content: '北京和深圳今天天气如何' },
          {
            role: 'assistant',
            content:
              '使用get_current_weather工具来获取北京和深圳的当前天气。\n\t\n\t用户想要知道北京和深圳今天的天气情况。用户提供了两个城市名称，但没有指定温度单位，根据常识，默认用户需要的是摄氏度。',
            toolCalls: [
              {
                id: 'call_cq16e7k2c3m1v7ep35c0',
                name: 'get_current_weather',
                arguments: '{"location":"北京","unit":"celsius"}',
              },
            ],
          },
          {
            role: 'tool',
            content: '{"temperature": 35, "wind": "南", "condition": "暴雨"}',
            toolCallId: 'call_cq16e7k2c3m1v7ep35c0',
          },
        ],
      }),
      target('hunyuan-functioncall'),
    );
    expect(body(call)).toEqual(fixture('chat-tools-history.request.json'));
  });

  test('a named or a lone required tool is forced as custom; none is passed on', () => {
    const forced = body(
      hunyuan.chat.encode(chat({ tools: [weather, { name: 'b' }], toolChoice: { name: 'b' } }), target()),
    );
    expect(forced).toMatchObject({
      ToolChoice: 'custom',
      CustomTool: { Type: 'function', Function: { Name: 'b' } },
    });
    expect((forced.Tools as { Function: { Parameters: string } }[])[1]!.Function.Parameters).toBe(
      '{"type":"object","properties":{}}',
    );
    expect(body(hunyuan.chat.encode(chat({ tools: [weather], toolChoice: 'required' }), target())).ToolChoice).toBe(
      'custom',
    );
    expect(body(hunyuan.chat.encode(chat({ tools: [weather], toolChoice: 'none' }), target())).ToolChoice).toBe('none');
  });

  test('system and developer messages lead as one; images go as Contents; max_tokens has no Hunyuan field', () => {
    const sent = body(
      hunyuan.chat.encode(
        chat({
          maxTokens: 100,
          stop: ['\n'],
          seed: 7,
          messages: [
            { role: 'user', content: 'first' },
            { role: 'system', content: 'Be brief.' },
            { role: 'developer', content: 'Use Chinese.' },
            {
              role: 'user',
              content: [
                { type: 'text', text: '下面图片中是哪个公司的 Logo？' },
                { type: 'image', url: 'https://cloudcache.tencent-cloud.com/logo.png' },
              ],
            },
          ],
        }),
        target('hunyuan-vision'),
      ),
    );
    expect(sent).toEqual({
      Model: 'hunyuan-vision',
      Messages: [
        { Role: 'system', Content: 'Be brief.\n\nUse Chinese.' },
        { Role: 'user', Content: 'first' },
        {
          Role: 'user',
          Contents: [
            { Type: 'text', Text: '下面图片中是哪个公司的 Logo？' },
            { Type: 'image_url', ImageUrl: { Url: 'https://cloudcache.tencent-cloud.com/logo.png' } },
          ],
        },
      ],
      Stream: false,
      Stop: ['\n'],
      Seed: 7,
    });
  });

  test('what Hunyuan cannot carry is refused with a 400 naming it', () => {
    const refusals: [Partial<ChatRequest>, RegExp][] = [
      [{ n: 3 }, /^Several choices/],
      [{ responseFormat: { type: 'json_object' } }, /^The json_object response format/],
      [{ messages: [{ role: 'user', content: [{ type: 'audio', data: 'AAAA', format: 'wav' }] }] }, /^Audio input/],
    ];
    for (const [extra, message] of refusals) {
      const err = thrown(() => hunyuan.chat.encode(chat(extra), target()));
      expect(err).toBeInstanceOf(InvalidRequest);
      expect(err.message).toMatch(message);
    }
  });

  test('a key that is not a pair cannot sign: the deployment is taken out', () => {
    const err = thrown(() => hunyuan.chat.encode(chat(), target('hunyuan-lite', {}, 'sk-an-api-key')));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ upstreamStatus: 401 });
    expect(err.message).not.toContain('sk-an-api-key');
  });
});

describe('hunyuan validation', () => {
  test('keys must be SECRET_ID:SECRET_KEY, and an enabled provider needs one', () => {
    const config = (keys: string[], enabled = true) =>
      providerSchema.parse({ name: 'tencent', type: 'hunyuan', keys, enabled });
    expect(hunyuan.validate?.(config(['id:key', 'sk-api-key']))).toEqual([
      { path: ['keys', 1], message: 'must be SECRET_ID:SECRET_KEY (the two joined by a colon)' },
    ]);
    expect(hunyuan.validate?.(config([]))).toEqual([{ path: ['keys'], message: 'required: SECRET_ID:SECRET_KEY' }]);
    expect(hunyuan.validate?.(config([], false))).toEqual([]);
  });
});
