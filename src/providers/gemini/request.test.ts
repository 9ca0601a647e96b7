import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { bodyOf as body, chatRequest, thrown } from '../../../test/provider-tests.ts';
import { type ProviderConfig, providerSchema } from '../../config/schema.ts';
import { InvalidRequest } from '../../core/errors.ts';
import type { ChatRequest } from '../../core/types.ts';
import type { Target } from '../types.ts';
import { gemini } from './index.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

function target(upstreamModel = 'gemini-2.5-flash', extra: Partial<ProviderConfig> = {}): Target {
  const provider = providerSchema.parse({ name: 'google', type: 'gemini', keys: ['AIzaSy-test'], ...extra });
  return { baseUrl: provider.base_url ?? gemini.defaultBaseUrl!, key: 'AIzaSy-test', upstreamModel, provider };
}

const chat = (extra: Partial<ChatRequest> = {}): ChatRequest => chatRequest({ model: 'flash', ...extra });
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe('gemini chat requests', () => {
  test('generateContent with the key in x-goog-api-key; streams ask for SSE', () => {
    const call = gemini.chat.encode(chat(), target());
    expect(call.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent');
    expect(call.headers).toEqual({ 'content-type': 'application/json', 'x-goog-api-key': 'AIzaSy-test' });
    expect(body(call)).toEqual({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
    expect(gemini.chat.encode(chat({ stream: true }), target()).url).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    );
  });

  test('a base URL with its version, api_version, and models/ or tunedModels/ names are honoured', () => {
    expect(
      gemini.chat.encode(chat(), target('models/gemini-2.0-flash', { base_url: 'https://proxy.example/v1beta' })).url,
    ).toBe('https://proxy.example/v1beta/models/gemini-2.0-flash:generateContent');
    expect(gemini.chat.encode(chat(), target('tunedModels/my-model', { api_version: 'v1' })).url).toBe(
      'https://generativelanguage.googleapis.com/v1/tunedModels/my-model:generateContent',
    );
  });

  test("OpenAI's documented weather-tool request becomes the Gemini body with parametersJsonSchema", () => {
    const call = gemini.chat.encode(
      chat({
        maxTokens: 256,
        temperature: 0.2,
        toolChoice: 'auto',
        messages: [
          { role: 'system', content: 'You are a helpful assistant.' },
          { role: 'user', content: "What's the weather like in Boston today?" },
        ],
        tools: [
          {
            name: 'get_current_weather',
            description: 'Get the current weather in a given location',
            parameters: {
              $schema: 'http://json-schema.org/draft-07/schema#',
              type: 'object',
              properties: {
                location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
                unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
              },
              required: ['location'],
              additionalProperties: false,
            },
            strict: true,
          },
        ],
      }),
      target(),
    );
    expect(body(call)).toEqual(fixture('chat-tools.request.json'));
  });

  test('a parallel-call round trip: one model turn, the results in one user turn named after their calls', () => {
    const call = gemini.chat.encode(
      chat({
        messages: [
          { role: 'user', content: 'Turn this place into a party!' },
          {
            role: 'assistant',
            content: '',
            reasoning: 'Party time.',
            reasoningSignature: '<Signature A>',
            toolCalls: [
              { id: 'call_1', name: 'power_disco_ball', arguments: '{"power":true}' },
              { id: 'call_2', name: 'dim_lights', arguments: '{"brightness":0.5}' },
            ],
          },
          { role: 'tool', toolCallId: 'call_1', content: 'Disco ball is spinning!' },
          {
            role: 'tool',
            toolCallId: 'call_2',
            content: [
              { type: 'text', text: '{"brightness":0.5,"ok":true}' },
              { type: 'image', url: `data:image/png;base64,${PNG}` },
            ],
          },
          { role: 'user', content: 'Is it a party now?' },
        ],
      }),
      target(),
    );
    expect(body(call)).toEqual(fixture('chat-tool-history.request.json'));
  });

  test('a failed tool is an {error} response; a result for an unknown call is a 400', () => {
    const history = (toolCallId: string) =>
      chat({
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'f', arguments: '' }] },
          { role: 'tool', toolCallId, content: 'it broke', isError: true },
        ],
      });
    expect(body(gemini.chat.encode(history('c1'), target())).contents).toEqual([
      { role: 'user', parts: [{ text: 'x' }] },
      {
        role: 'model',
        parts: [{ functionCall: { name: 'f', args: {} }, thoughtSignature: 'skip_thought_signature_validator' }],
      },
      { role: 'user', parts: [{ functionResponse: { name: 'f', response: { error: 'it broke' } } }] },
    ]);
    const err = thrown(() => gemini.chat.encode(history('c9'), target()));
    expect(err.status).toBe(400);
    expect(err.param).toBe('messages[2].tool_call_id');
  });

  test('a text answer keeps its signature on its last part; arguments that are not an object are refused', () => {
    const sent = body(
      gemini.chat.encode(
        chat({
          messages: [
            { role: 'user', content: 'hi' },
            { role: 'assistant', content: 'hello', reasoningSignature: 'sig-t' },
            { role: 'user', content: 'again' },
          ],
        }),
        target(),
      ),
    );
    expect(sent.contents).toMatchObject([
      {},
      { role: 'model', parts: [{ text: 'hello', thoughtSignature: 'sig-t' }] },
      {},
    ]);
    const err = thrown(() =>
      gemini.chat.encode(
        chat({
          messages: [
            { role: 'user', content: 'x' },
            { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'f', arguments: '[1]' }] },
          ],
        }),
        target(),
      ),
    );
    expect(err.param).toBe('messages[1].tool_calls[0]');
  });

  test('images: data: URLs inline, URLs with a known extension as fileData, others refused naming the URL', () => {
    const sent = body(
      gemini.chat.encode(
        chat({
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'compare' },
                { type: 'image', url: `data:image/png;base64,${PNG}` },
                { type: 'image', url: 'https://example.com/photos/cat.JPG?size=large' },
                { type: 'audio', data: 'UklG', format: 'wav' },
                { type: 'file', data: 'JVBE', mediaType: 'application/pdf', name: 'a.pdf' },
              ],
            },
          ],
        }),
        target(),
      ),
    );
    expect(sent.contents).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'compare' },
          { inlineData: { mimeType: 'image/png', data: PNG } },
          { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/photos/cat.JPG?size=large' } },
          { inlineData: { mimeType: 'audio/wav', data: 'UklG' } },
          { inlineData: { mimeType: 'application/pdf', data: 'JVBE' } },
        ],
      },
    ]);
    const err = thrown(() =>
      gemini.chat.encode(
        chat({ messages: [{ role: 'user', content: [{ type: 'image', url: 'https://example.com/render?id=3' }] }] }),
        target(),
      ),
    );
    expect(err).toBeInstanceOf(InvalidRequest);
    expect(err.code).toBe('unsupported_feature');
    expect(err.message).toContain('https://example.com/render?id=3');
    expect(err.message).toContain("'google'");
  });

  test('thinking: on with includeThoughts; a budget or reasoning effort sets thinkingBudget', () => {
    const config = (extra: Partial<ChatRequest>) => body(gemini.chat.encode(chat(extra), target())).generationConfig;
    expect(config({ thinking: {} })).toEqual({ thinkingConfig: { includeThoughts: true } });
    expect(config({ thinking: { budgetTokens: 4000 } })).toEqual({
      thinkingConfig: { includeThoughts: true, thinkingBudget: 4000 },
    });
    expect(config({ reasoningEffort: 'medium' })).toEqual({
      thinkingConfig: { includeThoughts: true, thinkingBudget: 2048 },
    });
    expect(config({})).toBeUndefined();
  });

  test('sampling, JSON schema output and tool choice map to generationConfig and toolConfig', () => {
    const sent = body(
      gemini.chat.encode(
        chat({
          topP: 0.9,
          topK: 40,
          stop: ['END'],
          seed: 7,
          presencePenalty: 0.5,
          frequencyPenalty: 0.25,
          tools: [{ name: 'lookup' }],
          toolChoice: { name: 'lookup' },
          responseFormat: { type: 'json_schema', name: 'person', schema: { type: 'object' }, strict: true },
        }),
        target(),
      ),
    );
    expect(sent.generationConfig).toEqual({
      topP: 0.9,
      topK: 40,
      stopSequences: ['END'],
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object' },
    });
    expect(sent.tools).toEqual([{ functionDeclarations: [{ name: 'lookup' }] }]);
    expect(sent.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['lookup'] } });
    expect(body(gemini.chat.encode(chat({ toolChoice: 'none' }), target())).toolConfig).toEqual({
      functionCallingConfig: { mode: 'NONE' },
    });
    expect(thrown(() => gemini.chat.encode(chat({ n: 2 }), target())).code).toBe('unsupported_feature');
  });
});

describe('gemini embedding requests', () => {
  test('batchEmbedContents with one request per text and the dimensions', () => {
    const call = gemini.embeddings!.encode(
      { model: 'x', input: ['a', 'b'], dimensions: 256 },
      target('gemini-embedding-001'),
    );
    expect(call.url).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents',
    );
    expect(body(call)).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] }, outputDimensionality: 256 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'b' }] }, outputDimensionality: 256 },
      ],
    });
    expect(thrown(() => gemini.embeddings!.encode({ model: 'x', input: [1, 2] }, target())).param).toBe('input');
  });
});
