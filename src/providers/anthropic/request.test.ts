import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { bodyOf as body, chatRequest, thrown } from '../../../test/provider-tests.ts';
import { type ProviderConfig, providerSchema } from '../../config/schema.ts';
import type { ChatRequest } from '../../core/types.ts';
import type { Target } from '../types.ts';
import { anthropic } from './index.ts';
import { encodeCountTokens } from './request.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

function target(
  upstreamModel = 'claude-sonnet-4-6',
  extra: Partial<ProviderConfig> = {},
  more: Partial<Target> = {},
): Target {
  const provider = providerSchema.parse({ name: 'claude', type: 'anthropic', keys: ['sk-ant-test'], ...extra });
  return {
    baseUrl: (provider.base_url ?? anthropic.defaultBaseUrl!).replace(/\/+$/, ''),
    key: 'sk-ant-test',
    upstreamModel,
    provider,
    ...more,
  };
}

const chat = (extra: Partial<ChatRequest> = {}): ChatRequest => chatRequest({ model: 'claude', ...extra });
const encode = (req: ChatRequest, t = target()) => anthropic.chat.encode(req, t);
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe('anthropic requests', () => {
  test('POST {base}/v1/messages with x-api-key and anthropic-version; a base ending in /v1 is kept', () => {
    const call = encode(chat());
    expect(call.url).toBe('https://api.anthropic.com/v1/messages');
    expect(call.headers).toEqual({
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      'x-api-key': 'sk-ant-test',
    });
    expect(body(call)).toEqual({
      model: 'claude-sonnet-4-6',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      max_tokens: 64000,
    });
    expect(encode(chat(), target('m', { base_url: 'https://gw.example/anthropic/v1' })).url).toBe(
      'https://gw.example/anthropic/v1/messages',
    );
  });

  test("the provider's headers override anthropic-version and add beta flags", () => {
    const call = encode(
      chat(),
      target('m', { headers: { 'anthropic-version': '2024-01-01', 'anthropic-beta': 'prompt-caching-2024-07-31' } }),
    );
    expect(call.headers['anthropic-version']).toBe('2024-01-01');
    expect(call.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
  });

  test('missing max_tokens is filled per model, or with DEFAULT_MAX_TOKEN when configured; a given one is kept', () => {
    const max = (model: string, req: Partial<ChatRequest> = {}, more: Partial<Target> = {}) =>
      body(encode(chat(req), target(model, {}, more))).max_tokens;
    expect(max('claude-3-haiku-20240307')).toBe(4096);
    expect(max('claude-3-5-sonnet-20241022')).toBe(8192);
    expect(max('claude-3-7-sonnet-20250219')).toBe(64000);
    expect(max('claude-opus-4-1-20250805')).toBe(32000);
    expect(max('claude-opus-4-20250514')).toBe(32000);
    expect(max('claude-opus-4-5')).toBe(64000);
    expect(max('claude-haiku-4-5')).toBe(64000);
    expect(max('some-proxy-model')).toBe(4096);
    expect(max('claude-sonnet-4-6', {}, { defaultMaxTokens: 2000 })).toBe(2000);
    expect(max('claude-sonnet-4-6', { maxTokens: 300 })).toBe(300);
  });

  test('a history with parallel tool calls, tool results with an image, thinking signature and consecutive turns', () => {
    const call = encode(
      chat({
        messages: [
          { role: 'system', content: 'You are a helpful assistant.' },
          { role: 'user', content: 'What is the weather in San Francisco and the time in New York?' },
          { role: 'user', content: [{ type: 'image', url: `data:image/png;base64,${PNG}` }] },
          {
            role: 'assistant',
            content: "I'll check both.",
            reasoning: 'Two tools are needed.',
            reasoningSignature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxB',
            toolCalls: [
              { id: 'toolu_01', name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' },
              { id: 'toolu_02', name: 'get_time', arguments: '' },
            ],
          },
          { role: 'tool', toolCallId: 'toolu_01', content: '15 degrees' },
          {
            role: 'tool',
            toolCallId: 'toolu_02',
            isError: true,
            content: [
              { type: 'text', text: 'clock is broken, see the photo' },
              { type: 'image', url: 'https://example.com/clock.jpg' },
            ],
          },
          { role: 'user', content: 'Thanks!' },
        ],
        tools: [
          {
            name: 'get_weather',
            description: 'Get the current weather in a given location',
            parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
          },
          { name: 'get_time' },
        ],
        stop: ['\n\nHuman:'],
        maxTokens: 1024,
        temperature: 0.5,
        topP: 0.9,
        topK: 40,
        user: 'user-1',
      }),
    );
    expect(body(call)).toEqual(fixture('tool-history.request.json'));
  });

  test('tool choice: required is any, a name is tool, parallel calls off sets disable_parallel_tool_use', () => {
    const choice = (req: Partial<ChatRequest>) => body(encode(chat({ tools: [{ name: 'f' }], ...req }))).tool_choice;
    expect(choice({ toolChoice: 'required' })).toEqual({ type: 'any' });
    expect(choice({ toolChoice: { name: 'f' } })).toEqual({ type: 'tool', name: 'f' });
    expect(choice({ toolChoice: 'none' })).toEqual({ type: 'none' });
    expect(choice({ parallelToolCalls: false })).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(choice({})).toBeUndefined();
  });

  test('thinking: a budget (default, given, or from reasoning effort) above max_tokens; temperature and top_k dropped', () => {
    const sent = (req: Partial<ChatRequest>) => body(encode(chat(req)));
    expect(sent({ thinking: {} })).toMatchObject({
      thinking: { type: 'enabled', budget_tokens: 8192 },
      max_tokens: 64000,
    });
    expect(sent({ thinking: { budgetTokens: 5000 }, maxTokens: 1000, temperature: 0.2, topK: 5, topP: 0.5 })).toEqual({
      model: 'claude-sonnet-4-6',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      max_tokens: 6000,
      thinking: { type: 'enabled', budget_tokens: 5000 },
    });
    expect(sent({ reasoningEffort: 'high' }).thinking).toEqual({ type: 'enabled', budget_tokens: 24576 });
    expect(sent({ thinking: { budgetTokens: 100 } }).thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
  });

  test('features Anthropic cannot carry are refused, naming them and the provider', () => {
    const refusal = (req: Partial<ChatRequest>) => thrown(() => encode(chat(req)));
    const audio = refusal({ messages: [{ role: 'user', content: [{ type: 'audio', data: 'UklG', format: 'wav' }] }] });
    expect(audio.status).toBe(400);
    expect(audio.code).toBe('unsupported_feature');
    expect(audio.message).toContain("'claude'");
    expect(refusal({ n: 2 }).message).toContain('n > 1');
    expect(refusal({ responseFormat: { type: 'json_schema', name: 'x' } }).message).toContain('json_schema');
    const args = refusal({
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'f', arguments: '[1]' }] },
      ],
    });
    expect(args.param).toBe('messages[1].tool_calls[0]');
  });

  test('empty content and documents: an empty turn gets a stand-in, files become document blocks', () => {
    const sent = body(
      encode(
        chat({
          messages: [
            {
              role: 'user',
              content: [{ type: 'file', data: 'JVBERi0=', mediaType: 'application/pdf', name: 'a.pdf' }],
            },
            { role: 'assistant', content: '' },
            {
              role: 'user',
              content: [{ type: 'file', data: Buffer.from('notes').toString('base64'), mediaType: 'text/plain' }],
            },
          ],
        }),
      ),
    );
    expect(sent.messages).toEqual([
      {
        role: 'user',
        content: [
          {
            type: 'document',
            source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
            title: 'a.pdf',
          },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: '.' }] },
      {
        role: 'user',
        content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' } }],
      },
    ]);
  });

  test('count_tokens takes the counted fields only, at /v1/messages/count_tokens', () => {
    const call = encodeCountTokens(chat({ stream: true, temperature: 0.3, tools: [{ name: 'f' }] }), target());
    expect(call.url).toBe('https://api.anthropic.com/v1/messages/count_tokens');
    expect(body(call)).toEqual({
      model: 'claude-sonnet-4-6',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      tools: [{ name: 'f', input_schema: { type: 'object', properties: {} } }],
    });
  });
});
