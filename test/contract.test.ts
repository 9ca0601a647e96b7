/**
 * The promise of the gateway as a matrix: each official SDK, speaking its own format, reaches a model on each provider
 * type (one mock upstream answers in every provider's wire format), with text, streams, tool calls and usage intact.
 */
import { generateKeyPairSync } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ConfigInput } from '../src/config/schema.ts';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { trustAwsKey } from './mock-upstream/bedrock.ts';
import { trustServiceAccount } from './mock-upstream/gemini.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';
import { openapiProblems } from './openapi.ts';

type ProviderEntry = NonNullable<ConfigInput['providers']>[number];

/** One provider type behind the gateway: its config entry (the mock's URL filled in) serving the model `<type>-model`. */
interface UpstreamCase {
  type: string;
  entry(mockUrl: string): Omit<ProviderEntry, 'name' | 'type' | 'models'>;
  /** The upstream has no function calling (a Coze bot's tools are its own): tools get a 400 that names them. */
  tools?: false;
}

const UPSTREAMS: UpstreamCase[] = [
  { type: 'openai', entry: (url) => ({ base_url: `${url}/v1`, keys: ['sk-up'] }) },
  {
    type: 'azure',
    entry: (url) => ({ base_url: url, keys: ['az-key'], model_map: { 'azure-model': 'prod-deployment' } }),
  },
  { type: 'ollama', entry: (url) => ({ base_url: url }) },
  { type: 'deepseek', entry: (url) => ({ base_url: `${url}/v1`, keys: ['sk-ds'] }) },
  { type: 'anthropic', entry: (url) => ({ base_url: url, keys: ['sk-ant'] }) },
  { type: 'bedrock', entry: (url) => ({ base_url: url, keys: ['AKIDCONTRACT:contract-secret'], region: 'eu-west-1' }) },
  { type: 'gemini', entry: (url) => ({ base_url: url, keys: ['gm-key'] }) },
  { type: 'vertex', entry: (url) => ({ base_url: url, keys: [serviceAccount(`${url}/token`)], region: 'us-east5' }) },
  {
    type: 'coze',
    entry: (url) => ({ base_url: url, keys: ['pat_contract'], model_map: { 'coze-model': 'bot-contract' } }),
    tools: false,
  },
  {
    type: 'fitten',
    entry: (url) => ({ base_url: url, keys: ['contract:pw'], model_map: { 'fitten-model': 'fitten-code' } }),
    tools: false,
  },
];

/** For an upstream without function calling: the client's tool request is refused, naming tools, before any call. */
async function expectToolsRefused(call: () => Promise<unknown>): Promise<void> {
  const before = mock.requests.length;
  const err = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ status: 400 });
  expect(String((err as Error).message).toLowerCase()).toContain('tool');
  expect(mock.requests.slice(before).filter((r) => r.dialect !== 'fitten' || r.path.includes('chat'))).toEqual([]);
}

const SERVICE_ACCOUNT = 'contract@mock-project.iam.gserviceaccount.com';
const accountKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** A throwaway service account whose tokens the mock's token endpoint issues. */
function serviceAccount(tokenUri: string): string {
  return JSON.stringify({
    type: 'service_account',
    project_id: 'mock-project',
    private_key: accountKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    client_email: SERVICE_ACCOUNT,
    token_uri: tokenUri,
  });
}

let mock: MockUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  trustServiceAccount(SERVICE_ACCOUNT, accountKeys.publicKey);
  trustAwsKey('AKIDCONTRACT', 'contract-secret');
  mock = await startMockUpstream();
  gateway = await startGateway({
    providers: UPSTREAMS.map((u) => {
      const entry = u.entry(mock.url);
      return { name: u.type, type: u.type, ...entry, models: entry.model_map ? [] : [`${u.type}-model`] };
    }),
  });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

const TOOL = {
  name: 'get_weather',
  description: 'Weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const ASK_TOOL = 'call get_weather {"city":"Paris"}';

describe.each(UPSTREAMS)('OpenAI Chat Completions client -> $type upstream', ({ type, tools: canCall }) => {
  const model = `${type}-model`;
  const client = (): OpenAI => gateway.openai();

  test('answer is a valid chat.completion with the text and usage', async () => {
    const res = await client().chat.completions.create({ model, messages: [{ role: 'user', content: 'hello there' }] });
    expect(openapiProblems('CreateChatCompletionResponse', res)).toEqual([]);
    expect(res.choices[0]?.message.content).toBe('echo: hello there');
    expect(res.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(res.usage?.completion_tokens).toBeGreaterThan(0);
  });

  test('stream: the text arrives whole, with usage when asked', async () => {
    const stream = await client().chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'stream this please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let total = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      total = chunk.usage?.total_tokens ?? total;
    }
    expect(text).toBe('echo: stream this please');
    expect(total).toBeGreaterThan(0);
  });

  if (canCall === false)
    test('tools are refused with a 400 that names them', async () => {
      const tools = [{ type: 'function' as const, function: TOOL }];
      await expectToolsRefused(() =>
        client().chat.completions.create({ model, messages: [{ role: 'user', content: ASK_TOOL }], tools }),
      );
    });
  else
    test('tool call with its arguments, and the tool result answered', async () => {
      const tools = [{ type: 'function' as const, function: TOOL }];
      const first = await client().chat.completions.create({
        model,
        messages: [{ role: 'user', content: ASK_TOOL }],
        tools,
      });
      expect(openapiProblems('CreateChatCompletionResponse', first)).toEqual([]);
      const call = first.choices[0]?.message.tool_calls?.[0];
      expect(first.choices[0]?.finish_reason).toBe('tool_calls');
      expect(call?.type === 'function' && call.function.name).toBe('get_weather');
      expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });
      const second = await client().chat.completions.create({
        model,
        tools,
        messages: [
          { role: 'user', content: ASK_TOOL },
          first.choices[0]!.message,
          { role: 'tool', tool_call_id: call!.id, content: 'sunny' },
        ],
      });
      expect(second.choices[0]?.message.content).toBe('tool result: sunny');
    });
});

describe.each(UPSTREAMS)('Gemini client (@google/genai) -> $type upstream', ({ type, tools: canCall }) => {
  const model = `${type}-model`;
  const client = (): GoogleGenAI => new GoogleGenAI({ apiKey: CLIENT_KEY, httpOptions: { baseUrl: gateway.url } });
  const tools = [
    {
      functionDeclarations: [{ name: TOOL.name, description: TOOL.description, parametersJsonSchema: TOOL.parameters }],
    },
  ];

  test('generateContent: text and usage', async () => {
    const res = await client().models.generateContent({ model, contents: 'hello there' });
    expect(res.text).toBe('echo: hello there');
    expect(res.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    expect(res.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
  });

  test('generateContentStream: the text arrives whole', async () => {
    let text = '';
    for await (const chunk of await client().models.generateContentStream({ model, contents: 'stream this please' }))
      text += chunk.text ?? '';
    expect(text).toBe('echo: stream this please');
  });

  if (canCall === false)
    test('tools are refused with a 400 that names them', async () => {
      await expectToolsRefused(() => client().models.generateContent({ model, contents: ASK_TOOL, config: { tools } }));
    });
  else
    test('function call, and the function response answered', async () => {
      const ask = { role: 'user', parts: [{ text: ASK_TOOL }] };
      const first = await client().models.generateContent({ model, contents: [ask], config: { tools } });
      const call = first.functionCalls?.[0];
      expect(call).toMatchObject({ name: 'get_weather', args: { city: 'Paris' } });
      const second = await client().models.generateContent({
        model,
        config: { tools },
        contents: [
          ask,
          first.candidates![0]!.content!,
          {
            role: 'user',
            parts: [{ functionResponse: { id: call!.id!, name: 'get_weather', response: { output: 'sunny' } } }],
          },
        ],
      });
      expect(second.text).toBe('tool result: sunny');
    });
});

describe.each(UPSTREAMS)('OpenAI Responses client -> $type upstream', ({ type, tools: canCall }) => {
  const model = `${type}-model`;
  const tools = [
    {
      type: 'function' as const,
      name: TOOL.name,
      description: TOOL.description,
      parameters: TOOL.parameters,
      strict: false,
    },
  ];

  test('responses.create: output_text and usage', async () => {
    const res = await gateway.openai().responses.create({ model, input: 'hello there' });
    expect(res.output_text).toBe('echo: hello there');
    expect(res.usage?.input_tokens).toBeGreaterThan(0);
  });

  test('stream: deltas add up to the text; completed carries the response', async () => {
    const stream = await gateway.openai().responses.create({ model, input: 'stream this please', stream: true });
    let text = '';
    let completed = '';
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') {
        for (const item of event.response.output)
          if (item.type === 'message')
            for (const part of item.content) if (part.type === 'output_text') completed += part.text;
      }
    }
    expect(text).toBe('echo: stream this please');
    expect(completed).toBe('echo: stream this please');
  });

  if (canCall === false)
    test('tools are refused with a 400 that names them', async () => {
      await expectToolsRefused(() => gateway.openai().responses.create({ model, input: ASK_TOOL, tools }));
    });
  else
    test('function_call, and the function_call_output answered', async () => {
      const first = await gateway.openai().responses.create({ model, input: ASK_TOOL, tools });
      const call = first.output.find((item) => item.type === 'function_call');
      expect(call).toMatchObject({ name: 'get_weather' });
      expect(JSON.parse(call!.type === 'function_call' ? call!.arguments : '')).toEqual({ city: 'Paris' });
      const second = await gateway.openai().responses.create({
        model,
        tools,
        input: [
          { role: 'user', content: ASK_TOOL },
          call!,
          {
            type: 'function_call_output',
            call_id: call!.type === 'function_call' ? call!.call_id : '',
            output: 'sunny',
          },
        ],
      });
      expect(second.output_text).toBe('tool result: sunny');
    });
});

describe.each(UPSTREAMS)('Anthropic client (@anthropic-ai/sdk) -> $type upstream', ({ type, tools: canCall }) => {
  const model = `${type}-model`;
  const client = (): Anthropic => new Anthropic({ apiKey: CLIENT_KEY, baseURL: gateway.url, maxRetries: 0 });
  const tools = [
    { name: TOOL.name, description: TOOL.description, input_schema: { ...TOOL.parameters, type: 'object' as const } },
  ];
  // A thinking block may come first: Gemini signs its answers, and the signature travels as a thinking block.
  const texts = (content: Anthropic.ContentBlock[]) => content.filter((b) => b.type === 'text').map((b) => b.text);

  test('messages.create: text and usage', async () => {
    const res = await client().messages.create({
      model,
      max_tokens: 256,
      messages: [{ role: 'user', content: 'hello there' }],
    });
    expect(texts(res.content)).toEqual(['echo: hello there']);
    expect(res.stop_reason).toBe('end_turn');
    expect(res.usage.input_tokens).toBeGreaterThan(0);
    expect(res.usage.output_tokens).toBeGreaterThan(0);
  });

  test('messages.stream: the text arrives whole, the final message has usage', async () => {
    const stream = client().messages.stream({
      model,
      max_tokens: 256,
      messages: [{ role: 'user', content: 'stream this please' }],
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    expect(text).toBe('echo: stream this please');
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  if (canCall === false)
    test('tools are refused with a 400 that names them', async () => {
      await expectToolsRefused(() =>
        client().messages.create({ model, max_tokens: 256, tools, messages: [{ role: 'user', content: ASK_TOOL }] }),
      );
    });
  else
    test('tool_use, and the tool_result answered', async () => {
      const ask = { role: 'user' as const, content: ASK_TOOL };
      const first = await client().messages.create({ model, max_tokens: 256, tools, messages: [ask] });
      expect(first.stop_reason).toBe('tool_use');
      const use = first.content.find((b) => b.type === 'tool_use');
      expect(use).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
      const second = await client().messages.create({
        model,
        max_tokens: 256,
        tools,
        messages: [
          ask,
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: use!.type === 'tool_use' ? use!.id : '', content: 'sunny' }],
          },
        ],
      });
      expect(texts(second.content)).toEqual(['tool result: sunny']);
    });
});
