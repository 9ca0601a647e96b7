import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { collect, upstreamBytes } from '../../../test/mock-upstream.ts';
import { type ProviderConfig, providerSchema } from '../../config/schema.ts';
import type { ChatRequest } from '../../core/types.ts';
import { encodeChat as openaiEncodeChat } from '../openai/thinking.ts';
import type { Target } from '../types.ts';
import { azure } from './index.ts';
import { DEFAULT_API_VERSION, parseAzureBase } from './request.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function target(baseUrl: string, extra: Partial<ProviderConfig> = {}, upstreamModel = 'gpt4o-prod'): Target {
  const provider = providerSchema.parse({ name: 'az', type: 'azure', base_url: baseUrl, keys: ['azkey-1'], ...extra });
  return { baseUrl, key: 'azkey-1', upstreamModel, provider };
}

const chat: ChatRequest = {
  model: 'gpt-4o',
  messages: [{ role: 'user', content: 'Hello' }],
  stream: true,
  includeUsage: false,
  maxTokens: 50,
};

describe('azure request addressing', () => {
  test('a resource endpoint gets the deployment path, the default GA api-version and an api-key header', () => {
    const t = target('https://contoso.openai.azure.com');
    const call = azure.chat.encode(chat, t);
    expect(call.url).toBe(
      `https://contoso.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=${DEFAULT_API_VERSION}`,
    );
    expect(call.headers['api-key']).toBe('azkey-1');
    expect(call.headers.authorization).toBeUndefined();
    expect(call.headers['content-type']).toBe('application/json');
  });

  test('the body is exactly the OpenAI body, model field included', () => {
    const t = target('https://contoso.openai.azure.com');
    expect(azure.chat.encode(chat, t).body).toBe(openaiEncodeChat(chat, t).body);
    expect(JSON.parse(azure.chat.encode(chat, t).body ?? '{}')).toMatchObject({
      model: 'gpt4o-prod',
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 50,
    });
  });

  test('a cognitiveservices endpoint and a trailing /openai work the same way', () => {
    expect(azure.chat.encode(chat, target('https://res.cognitiveservices.azure.com/')).url).toBe(
      `https://res.cognitiveservices.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=${DEFAULT_API_VERSION}`,
    );
    expect(azure.chat.encode(chat, target('https://contoso.openai.azure.com/openai')).url).toBe(
      `https://contoso.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=${DEFAULT_API_VERSION}`,
    );
  });

  test('api_version from the config wins over the default', () => {
    const call = azure.chat.encode(
      chat,
      target('https://contoso.openai.azure.com', { api_version: '2025-04-01-preview' }),
    );
    expect(call.url).toMatch(/\?api-version=2025-04-01-preview$/);
  });

  test('a base_url naming a deployment uses that deployment whatever the routed model', () => {
    const t = target('https://contoso.openai.azure.com/openai/deployments/my-dep', {}, 'something-else');
    expect(azure.chat.encode(chat, t).url).toBe(
      `https://contoso.openai.azure.com/openai/deployments/my-dep/chat/completions?api-version=${DEFAULT_API_VERSION}`,
    );
    expect(azure.embeddings?.encode({ model: 'e', input: 'x' }, t).url).toBe(
      `https://contoso.openai.azure.com/openai/deployments/my-dep/embeddings?api-version=${DEFAULT_API_VERSION}`,
    );
  });

  test('a pasted full operation URL keeps its api-version unless the config sets one', () => {
    const pasted = 'https://contoso.openai.azure.com/openai/deployments/dep1/chat/completions?api-version=2024-06-01';
    expect(parseAzureBase(pasted)).toEqual({
      v1: false,
      root: 'https://contoso.openai.azure.com',
      deployment: 'dep1',
      apiVersion: '2024-06-01',
    });
    expect(azure.chat.encode(chat, target(pasted)).url).toBe(
      'https://contoso.openai.azure.com/openai/deployments/dep1/chat/completions?api-version=2024-06-01',
    );
    expect(azure.chat.encode(chat, target(pasted, { api_version: '2024-10-21' })).url).toMatch(
      /api-version=2024-10-21$/,
    );
  });

  test('the v1 API uses OpenAI paths, no api-version, and names the deployment in the body', () => {
    const t = target('https://contoso.openai.azure.com/openai/v1', {}, 'gpt-5-mini');
    const call = azure.chat.encode(chat, t);
    expect(call.url).toBe('https://contoso.openai.azure.com/openai/v1/chat/completions');
    expect(call.headers['api-key']).toBe('azkey-1');
    expect(JSON.parse(call.body ?? '{}').model).toBe('gpt-5-mini');
    expect(azure.completions?.encode({ model: 'x', prompt: 'p', stream: false, includeUsage: false }, t).url).toBe(
      'https://contoso.openai.azure.com/openai/v1/completions',
    );
  });

  test('completions and embeddings go to their deployment operations', () => {
    const t = target('https://contoso.openai.azure.com');
    const completion = azure.completions?.encode({ model: 'x', prompt: 'p', stream: false, includeUsage: false }, t);
    expect(completion?.url).toContain('/openai/deployments/gpt4o-prod/completions?api-version=');
    const embedding = azure.embeddings?.encode({ model: 'x', input: ['a', 'b'], encodingFormat: 'base64' }, t);
    expect(embedding?.url).toContain('/openai/deployments/gpt4o-prod/embeddings?api-version=');
    expect(JSON.parse(embedding?.body ?? '{}')).toEqual({
      model: 'gpt4o-prod',
      input: ['a', 'b'],
      encoding_format: 'base64',
    });
  });

  test('deployment names are escaped in the path', () => {
    const call = azure.chat.encode(chat, target('https://contoso.openai.azure.com', {}, 'my dep/1'));
    expect(call.url).toContain('/openai/deployments/my%20dep%2F1/chat/completions');
  });

  test('configured extra headers are sent; api-key is not overridable by them', () => {
    const t = target('https://contoso.openai.azure.com', { headers: { 'x-ms-client': 'switchyard', 'api-key': 'x' } });
    const call = azure.chat.encode(chat, t);
    expect(call.headers['x-ms-client']).toBe('switchyard');
    expect(call.headers['api-key']).toBe('azkey-1');
  });

  test('passthrough forwards the client body with the deployment model and usage requested', () => {
    const t = target('https://contoso.openai.azure.com');
    const call = azure.passthrough?.build(
      'chat',
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true, logit_bias: { '50256': -100 } },
      t,
    );
    expect(call?.url).toContain('/openai/deployments/gpt4o-prod/chat/completions?api-version=');
    expect(call?.headers['api-key']).toBe('azkey-1');
    expect(JSON.parse(call?.body ?? '{}')).toEqual({
      model: 'gpt4o-prod',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
      logit_bias: { '50256': -100 },
    });
  });
});

describe('azure validation', () => {
  test('base_url is required', () => {
    const config = providerSchema.parse({ name: 'az', type: 'azure', keys: ['k'] });
    expect(azure.validate?.(config)).toEqual([{ path: ['base_url'], message: expect.stringContaining('required') }]);
    expect(azure.validate?.(providerSchema.parse({ ...config, base_url: 'https://a.openai.azure.com' }))).toEqual([]);
  });

  test('keys are required unless an api-key header is configured or the provider is disabled', () => {
    const config = (extra: Record<string, unknown>) =>
      providerSchema.parse({ name: 'az', type: 'azure', base_url: 'https://a.openai.azure.com', ...extra });
    expect(azure.validate?.(config({}))).toEqual([{ path: ['keys'], message: expect.stringContaining('required') }]);
    expect(azure.validate?.(config({ headers: { 'Api-Key': 'k' } }))).toEqual([]);
    expect(azure.validate?.(config({ enabled: false }))).toEqual([]);
  });

  test('a dated api_version with the v1 API is flagged', () => {
    const config = (extra: Record<string, unknown>) =>
      providerSchema.parse({ name: 'az', type: 'azure', keys: ['k'], ...extra });
    expect(
      azure.validate?.(config({ base_url: 'https://a.openai.azure.com/openai/v1', api_version: '2024-10-21' })),
    ).toEqual([{ path: ['api_version'], message: expect.stringContaining('v1') }]);
    expect(
      azure.validate?.(config({ base_url: 'https://a.openai.azure.com/openai/v1', api_version: 'preview' })),
    ).toEqual([]);
    expect(azure.validate?.(config({ base_url: 'https://a.openai.azure.com', api_version: '2024-10-21' }))).toEqual([]);
  });

  test('a key is required and there is no default endpoint', () => {
    expect(azure.requiresKey).toBe(true);
    expect(azure.defaultBaseUrl).toBeUndefined();
  });
});

describe('azure answers', () => {
  const t = target('https://contoso.openai.azure.com');

  test('a stream opening with prompt_filter_results decodes to text, finish and usage', async () => {
    const events = await collect(azure.chat.decodeStream!(upstreamBytes(fixture('chat-stream.sse'), 37), t));
    expect(events).toEqual([
      { type: 'text', text: 'The' },
      { type: 'text', text: ' capital is Washington, D.C.' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 14, completionTokens: 84, totalTokens: 98, reasoningTokens: 64 } },
    ]);
  });

  test('a content-filtered answer keeps its finish reason', () => {
    const res = azure.chat.decode(fixture('chat-content-filter.response.json'), t);
    expect(res.finishReason).toBe('content_filter');
    expect(res.message).toEqual({ role: 'assistant', content: '' });
    expect(res.usage).toEqual({ promptTokens: 28, completionTokens: 12, totalTokens: 40 });
  });

  test('error bodies yield their message', () => {
    expect(azure.errorMessage(404, fixture('deployment-not-found.error.json'))).toMatch(
      /^The API deployment for this resource does not exist/,
    );
  });
});
