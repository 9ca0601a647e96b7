import { afterAll, describe, expect, test } from 'vitest';
import { bodyOf, chatRequest } from '../../../test/provider-tests.ts';
import { configSchema } from '../../config/schema.ts';
import { chatRequestToWire } from '../../formats/openai-chat/wire.ts';
import { buildRoutingTable } from '../../router/deployments.ts';
import { Upstreams } from '../../router/upstream.ts';
import { cloudflare } from '../cloudflare/index.ts';
import { providerDescriptor } from '../index.ts';
import { errorMessage } from './response.ts';

const upstreams = new Upstreams();
afterAll(() => upstreams.close());

function baseUrlOf(provider: Record<string, unknown>): string {
  const config = configSchema.parse({ providers: [{ name: 'p', keys: ['k'], models: ['m'], ...provider }] });
  return buildRoutingTable(config, upstreams).models.get('m')![0]!.target.baseUrl;
}

describe('presets by vendor name', () => {
  test.each([
    ['groq', 'https://api.groq.com/openai/v1'],
    ['deepseek', 'https://api.deepseek.com/v1'],
    ['openrouter', 'https://openrouter.ai/api/v1'],
    ['mistral', 'https://api.mistral.ai/v1'],
    ['together', 'https://api.together.xyz/v1'],
    ['xai', 'https://api.x.ai/v1'],
    ['siliconflow', 'https://api.siliconflow.cn/v1'],
    ['moonshot', 'https://api.moonshot.cn/v1'],
    ['zhipu', 'https://open.bigmodel.cn/api/paas/v4'],
    ['qwen', 'https://dashscope.aliyuncs.com/compatible-mode/v1'],
  ])('type %s needs no base_url: %s', (type, url) => {
    expect(baseUrlOf({ type })).toBe(url);
  });

  test('a base_url still wins over the preset', () => {
    expect(baseUrlOf({ type: 'groq', base_url: 'http://proxy.local/groq/v1/' })).toBe('http://proxy.local/groq/v1');
  });
});

describe('thinking switches per vendor', () => {
  const target = (type: string) => ({
    baseUrl: 'http://x',
    key: 'k',
    upstreamModel: 'm',
    provider: configSchema.parse({ providers: [{ name: 'p', type, keys: ['k'] }] }).providers[0]!,
  });
  const thinkingBody = (type: string, thinking: { budgetTokens?: number } = {}, extra = {}) =>
    bodyOf(providerDescriptor(type)!.chat.encode(chatRequest({ thinking, ...extra }), target(type)));

  test('OpenAI: reasoning_effort from the budget; an explicit effort wins', () => {
    expect(thinkingBody('openai').reasoning_effort).toBe('medium');
    expect(thinkingBody('openai', { budgetTokens: 1024 }).reasoning_effort).toBe('low');
    expect(thinkingBody('openai', { budgetTokens: 32_000 }).reasoning_effort).toBe('high');
    expect(thinkingBody('openai', {}, { reasoningEffort: 'minimal' }).reasoning_effort).toBe('minimal');
  });

  test('xAI takes low or high only', () => {
    expect(thinkingBody('xai').reasoning_effort).toBe('high');
    expect(thinkingBody('xai', { budgetTokens: 1000 }).reasoning_effort).toBe('low');
  });

  test('OpenRouter: a reasoning object with the budget as max_tokens', () => {
    expect(thinkingBody('openrouter', { budgetTokens: 4000 }).reasoning).toEqual({ max_tokens: 4000 });
    expect(thinkingBody('openrouter').reasoning_effort).toBeUndefined();
  });

  test('Qwen and SiliconFlow: enable_thinking with thinking_budget; Zhipu and Ark: thinking.type enabled', () => {
    expect(thinkingBody('qwen', { budgetTokens: 2000 })).toMatchObject({
      enable_thinking: true,
      thinking_budget: 2000,
    });
    expect(thinkingBody('siliconflow').enable_thinking).toBe(true);
    expect(thinkingBody('zhipu').thinking).toEqual({ type: 'enabled' });
    expect(thinkingBody('groq').reasoning_format).toBe('parsed');
  });

  test('DeepSeek: the model decides, nothing is added', () => {
    const body = thinkingBody('deepseek');
    expect(Object.keys(body).sort()).toEqual(['messages', 'model']);
  });
});

describe('cloudflare', () => {
  test('the account id makes the Workers AI OpenAI-compatible base URL', () => {
    expect(baseUrlOf({ type: 'cloudflare', account_id: 'abc123' })).toBe(
      'https://api.cloudflare.com/client/v4/accounts/abc123/ai/v1',
    );
  });

  test('an entry with neither account_id nor base_url is refused, naming account_id', () => {
    const config = configSchema.parse({ providers: [{ name: 'cf', type: 'cloudflare', keys: ['t'] }] });
    expect(cloudflare.validate!(config.providers[0]!)).toEqual([
      { path: ['account_id'], message: 'required: the Cloudflare account id (or a base_url)' },
    ]);
  });

  test("Cloudflare's error envelope gives its message", () => {
    const body = JSON.stringify({ errors: [{ message: 'Authentication error', code: 10000 }], success: false });
    expect(errorMessage(401, body)).toBe('Authentication error');
  });
});

describe('tool results with images, for OpenAI upstreams (tool messages carry text only)', () => {
  test('the images follow the run of tool messages in one user message', () => {
    const wire = chatRequestToWire(
      chatRequest({
        messages: [
          { role: 'user', content: 'look at both' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [
              { id: 'c1', name: 'shot', arguments: '{}' },
              { id: 'c2', name: 'shot', arguments: '{}' },
            ],
          },
          {
            role: 'tool',
            toolCallId: 'c1',
            content: [
              { type: 'text', text: 'first' },
              { type: 'image', url: 'data:image/png;base64,AAAA' },
            ],
          },
          { role: 'tool', toolCallId: 'c2', content: [{ type: 'image', url: 'https://img.example/2.png' }] },
          { role: 'user', content: 'and?' },
        ],
      }),
      'm',
    );
    const messages = wire.messages as Record<string, unknown>[];
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'tool', 'user', 'user']);
    expect(messages[2]).toMatchObject({ tool_call_id: 'c1', content: 'first' });
    expect(messages[3]).toMatchObject({ tool_call_id: 'c2', content: '(see the attachments below)' });
    expect(messages[4]!.content).toEqual([
      { type: 'text', text: 'Attachments returned by the tool calls above:' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
      { type: 'image_url', image_url: { url: 'https://img.example/2.png' } },
    ]);
  });
});
