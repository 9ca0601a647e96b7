import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { collect } from '../../../test/mock-upstream.ts';
import { bodyOf, chatRequest, thrown } from '../../../test/provider-tests.ts';
import { providerSchema } from '../../config/schema.ts';
import type { Target } from '../types.ts';
import { authorize, validate } from './auth.ts';
import { encodeEventMessage, eventMessages } from './eventstream.ts';
import { bedrock } from './index.ts';
import { signRequest } from './sigv4.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const provider = providerSchema.parse({ name: 'br', type: 'bedrock', keys: ['AKID:secret'], region: 'us-west-2' });
const target: Target = {
  baseUrl: bedrock.baseUrlFor!(provider)!,
  key: 'AKID:secret',
  upstreamModel: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
  provider,
};

describe('SigV4', () => {
  test("AWS's test suite: get-vanilla", () => {
    const headers = signRequest(
      {
        method: 'GET',
        url: 'https://example.amazonaws.com/',
        headers: {},
        body: '',
        region: 'us-east-1',
        service: 'service',
        date: new Date('2015-08-30T12:36:00Z'),
        contentSha256Header: false,
      },
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    );
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  test('a Bedrock call is signed for its region and service, with the session token when there is one', async () => {
    const call = bedrock.chat.encode(chatRequest(), target);
    expect(call.url).toBe(
      'https://bedrock-runtime.us-west-2.amazonaws.com/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse',
    );
    const signed = await authorize(call, { ...target, key: 'AKID:secret:session-token' });
    expect(signed.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/us-west-2\/bedrock\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(signed.headers['x-amz-security-token']).toBe('session-token');
    expect(JSON.stringify(signed.headers)).not.toContain('secret');
  });

  test('a key without a colon is a Bedrock API key, sent as a bearer token; malformed pairs are named by path', async () => {
    const signed = await authorize(bedrock.chat.encode(chatRequest(), target), { ...target, key: 'ABSKbedrockapikey' });
    expect(signed.headers.authorization).toBe('Bearer ABSKbedrockapikey');
    const config = providerSchema.parse({ name: 'br', type: 'bedrock', keys: ['AKID:', 'a:b:c:d', 'ok:pair'] });
    expect(validate(config).map((p) => p.path)).toEqual([
      ['keys', 0],
      ['keys', 1],
    ]);
  });
});

describe('event stream framing', () => {
  const frames = Buffer.concat([
    encodeEventMessage({ ':event-type': 'contentBlockDelta', ':message-type': 'event' }, '{"delta":{"text":"Hel"}}'),
    encodeEventMessage({ ':event-type': 'contentBlockDelta', ':message-type': 'event' }, '{"delta":{"text":"lo"}}'),
  ]);

  test('messages are found whatever the chunk borders', async () => {
    async function* split(size: number) {
      for (let i = 0; i < frames.length; i += size) yield frames.subarray(i, i + size);
    }
    for (const size of [1, 2, 5, 13, 64, frames.length]) {
      const messages = await collect(eventMessages(split(size)));
      expect(messages.map((m) => [m.headers[':event-type'], m.payload.toString()])).toEqual([
        ['contentBlockDelta', '{"delta":{"text":"Hel"}}'],
        ['contentBlockDelta', '{"delta":{"text":"lo"}}'],
      ]);
    }
  });

  test('a damaged frame is an error, not garbage', async () => {
    const damaged = Buffer.from(frames);
    damaged[20] = damaged[20]! ^ 0xff;
    async function* once() {
      yield damaged;
    }
    await expect(collect(eventMessages(once()))).rejects.toThrow(/damaged event-stream frame/);
  });
});

describe('Converse mapping', () => {
  test('system apart, tool calls and results (with an image) in their turns, sampling in inferenceConfig', () => {
    const body = bodyOf(
      bedrock.chat.encode(
        chatRequest({
          maxTokens: 300,
          temperature: 0.2,
          stop: ['END'],
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'weather?' },
            {
              role: 'assistant',
              content: '',
              toolCalls: [
                { id: 't1', name: 'get_weather', arguments: '{"city":"Paris"}' },
                { id: 't2', name: 'get_weather', arguments: '{"city":"Oslo"}' },
              ],
            },
            { role: 'tool', toolCallId: 't1', content: [{ type: 'image', url: 'data:image/png;base64,AAAA' }] },
            { role: 'tool', toolCallId: 't2', content: 'rain', isError: true },
          ],
          tools: [{ name: 'get_weather', parameters: { type: 'object' } }],
          toolChoice: 'required',
        }),
        target,
      ),
    );
    expect(body).toEqual({
      system: [{ text: 'Be brief.' }],
      messages: [
        { role: 'user', content: [{ text: 'weather?' }] },
        {
          role: 'assistant',
          content: [
            { toolUse: { toolUseId: 't1', name: 'get_weather', input: { city: 'Paris' } } },
            { toolUse: { toolUseId: 't2', name: 'get_weather', input: { city: 'Oslo' } } },
          ],
        },
        {
          role: 'user',
          content: [
            { toolResult: { toolUseId: 't1', content: [{ image: { format: 'png', source: { bytes: 'AAAA' } } }] } },
            { toolResult: { toolUseId: 't2', content: [{ text: 'rain' }], status: 'error' } },
          ],
        },
      ],
      inferenceConfig: { maxTokens: 300, temperature: 0.2, stopSequences: ['END'] },
      toolConfig: {
        tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }],
        toolChoice: { any: {} },
      },
    });
  });

  test('max_tokens defaults (DEFAULT_MAX_TOKEN when set); thinking goes in additionalModelRequestFields', () => {
    expect(bodyOf(bedrock.chat.encode(chatRequest(), target)).inferenceConfig).toEqual({ maxTokens: 4096 });
    expect(bodyOf(bedrock.chat.encode(chatRequest(), { ...target, defaultMaxTokens: 2048 })).inferenceConfig).toEqual({
      maxTokens: 2048,
    });
    const thinking = bodyOf(
      bedrock.chat.encode(chatRequest({ thinking: { budgetTokens: 2000 }, temperature: 1 }), target),
    );
    expect(thinking.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 2000 } });
    expect(thinking.inferenceConfig).toEqual({ maxTokens: 4096 });
  });

  test('an image URL cannot be carried (Bedrock takes bytes): a 400 that names it', () => {
    const err = thrown(() =>
      bedrock.chat.encode(
        chatRequest({ messages: [{ role: 'user', content: [{ type: 'image', url: 'https://x/y.png' }] }] }),
        target,
      ),
    );
    expect(err.status).toBe(400);
    expect(err.message).toContain('An image given by URL');
  });

  test('answers: text, tool use, reasoning with its signature, usage with the prompt cache', () => {
    const res = bedrock.chat.decode(
      JSON.stringify({
        output: {
          message: {
            role: 'assistant',
            content: [
              { reasoningContent: { reasoningText: { text: 'hmm', signature: 'sig' } } },
              { text: 'Checking.' },
              { toolUse: { toolUseId: 'tu1', name: 'get_weather', input: { city: 'Paris' } } },
            ],
          },
        },
        stopReason: 'tool_use',
        usage: {
          inputTokens: 10,
          outputTokens: 5,
          totalTokens: 15,
          cacheReadInputTokens: 100,
          cacheWriteInputTokens: 20,
        },
      }),
      target,
    );
    expect(res.message).toEqual({
      role: 'assistant',
      content: 'Checking.',
      reasoning: 'hmm',
      reasoningSignature: 'sig',
      toolCalls: [{ id: 'tu1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
    });
    expect(res.finishReason).toBe('tool_calls');
    expect(res.usage).toEqual({
      promptTokens: 130,
      completionTokens: 5,
      totalTokens: 135,
      cachedTokens: 100,
      cacheWriteTokens: 20,
    });
  });

  test('a stream: deltas, a tool call with streamed input, and an exception mid-stream', async () => {
    const ev = (type: string, payload: unknown) =>
      encodeEventMessage({ ':event-type': type, ':message-type': 'event' }, JSON.stringify(payload));
    async function* body() {
      yield Buffer.concat([
        ev('messageStart', { role: 'assistant' }),
        ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } }),
        ev('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tu', name: 'f' } } }),
        ev('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"a":' } } }),
        ev('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '1}' } } }),
        ev('messageStop', { stopReason: 'tool_use' }),
        ev('metadata', { usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 } }),
      ]);
    }
    expect(await collect(bedrock.chat.decodeStream!(body(), target))).toEqual([
      { type: 'text', text: 'Hi' },
      { type: 'tool_call_start', index: 0, id: 'tu', name: 'f' },
      { type: 'tool_call_delta', index: 0, arguments: '{"a":' },
      { type: 'tool_call_delta', index: 0, arguments: '1}' },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 } },
    ]);
    async function* throttled() {
      yield encodeEventMessage(
        { ':message-type': 'exception', ':exception-type': 'throttlingException' },
        '{"message":"Too many requests, please wait before trying again."}',
      );
    }
    const [event] = await collect(bedrock.chat.decodeStream!(throttled(), target));
    expect(event).toMatchObject({ type: 'error', error: { upstreamStatus: 429 } });
  });

  test("AWS's documented tool-use answer, and its throttling error", () => {
    const res = bedrock.chat.decode(fixture('converse-tool-use.response.json'), target);
    expect(res.message).toMatchObject({
      content: "I'll look up the most popular song on WZPZ.",
      toolCalls: [{ id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', arguments: '{"sign":"WZPZ"}' }],
    });
    expect(res.finishReason).toBe('tool_calls');
    expect(res.usage).toEqual({ promptTokens: 375, completionTokens: 60, totalTokens: 435 });
    expect(bedrock.errorMessage(429, fixture('throttling.error.json'))).toBe(
      'Too many requests, please wait before trying again.',
    );
  });
});
