import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { bodyOf as body, chatRequest, thrown } from '../../../test/provider-tests.ts';
import { type ProviderConfig, providerSchema } from '../../config/schema.ts';
import { InvalidRequest } from '../../core/errors.ts';
import type { ChatRequest, ToolDefinition } from '../../core/types.ts';
import type { Target } from '../types.ts';
import { ollama } from './index.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

function target(upstreamModel = 'llama3.2', extra: Partial<ProviderConfig> = {}, key?: string): Target {
  const provider = providerSchema.parse({ name: 'local', type: 'ollama', ...extra });
  return { baseUrl: provider.base_url ?? 'http://localhost:11434', key, upstreamModel, provider };
}

const weatherTool: ToolDefinition = {
  name: 'get_weather',
  description: 'Get the weather in a given city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string', description: 'The city to get the weather for' } },
    required: ['city'],
  },
};

const chat = (extra: Partial<ChatRequest> = {}): ChatRequest =>
  chatRequest({ model: 'local-llama', messages: [{ role: 'user', content: 'hi' }], ...extra });

describe('ollama chat requests', () => {
  test('a request with tools becomes the documented /api/chat body', () => {
    const call = ollama.chat.encode(
      chat({ messages: [{ role: 'user', content: 'what is the weather in tokyo?' }], tools: [weatherTool] }),
      target(),
    );
    expect(call.url).toBe('http://localhost:11434/api/chat');
    expect(body(call)).toEqual(fixture('chat-tools.request.json'));
  });

  test('a tool round trip carries arguments as an object and names the tool on its result', () => {
    const call = ollama.chat.encode(
      chat({
        model: 'llama3.2',
        tools: [{ ...weatherTool, strict: true }],
        messages: [
          { role: 'user', content: 'what is the weather in Toronto?' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ id: 'call_abc', name: 'get_weather', arguments: '{"city":"Toronto"}' }],
          },
          { role: 'tool', content: '11 degrees celsius', toolCallId: 'call_abc' },
        ],
      }),
      target(),
    );
    const sent = body(call);
    expect(sent).toMatchObject(fixture('chat-tools-history.request.json') as Record<string, unknown>);
    expect(sent.messages).toMatchObject([{}, { tool_calls: [{ id: 'call_abc' }] }, { tool_call_id: 'call_abc' }]);
  });

  test('a JSON schema response format becomes format, sampling goes into options', () => {
    const call = ollama.chat.encode(
      chat({
        messages: [
          {
            role: 'user',
            content:
              'Ollama is 22 years old and busy saving the world. Return a JSON object with the age and availability.',
          },
        ],
        temperature: 0,
        responseFormat: {
          type: 'json_schema',
          name: 'person',
          strict: true,
          schema: {
            type: 'object',
            properties: { age: { type: 'integer' }, available: { type: 'boolean' } },
            required: ['age', 'available'],
          },
        },
      }),
      target('llama3.1'),
    );
    expect(body(call)).toEqual(fixture('chat-structured.request.json'));
  });

  test('a data: URL image becomes bare base64 in images', () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const call = ollama.chat.encode(
      chat({
        stream: true,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is in this image?' },
              { type: 'image', url: `data:image/png;base64,${png}`, detail: 'high' },
            ],
          },
        ],
      }),
      target('llava'),
    );
    expect(body(call)).toEqual(fixture('chat-images.request.json'));
  });

  test('a percent-encoded data: URL is converted to base64', () => {
    const call = ollama.chat.encode(
      chat({ messages: [{ role: 'user', content: [{ type: 'image', url: 'data:image/svg+xml,%3Csvg%2F%3E' }] }] }),
      target(),
    );
    expect(body(call).messages).toEqual([
      { role: 'user', content: '', images: [Buffer.from('<svg/>').toString('base64')] },
    ]);
  });

  test('an http image URL is refused with a 400 naming it', () => {
    const err = thrown(() =>
      ollama.chat.encode(
        chat({ messages: [{ role: 'user', content: [{ type: 'image', url: 'https://example.com/cat.png' }] }] }),
        target(),
      ),
    );
    expect(err).toBeInstanceOf(InvalidRequest);
    expect(err.status).toBe(400);
    expect(err.code).toBe('unsupported_feature');
    expect(err.message).toContain('https://example.com/cat.png');
    expect(err.message).toContain("'local'");
  });

  test('audio input and several choices are refused', () => {
    expect(
      thrown(() =>
        ollama.chat.encode(
          chat({ messages: [{ role: 'user', content: [{ type: 'audio', data: 'AAAA', format: 'wav' }] }] }),
          target(),
        ),
      ).message,
    ).toMatch(/^Audio input is not supported/);
    expect(thrown(() => ollama.chat.encode(chat({ n: 2 }), target())).status).toBe(400);
  });

  test('developer turns become system turns and assistant reasoning becomes thinking', () => {
    const call = ollama.chat.encode(
      chat({
        messages: [
          { role: 'developer', content: 'be brief' },
          { role: 'user', content: 'hi', name: 'ann' },
          { role: 'assistant', content: 'hello', reasoning: 'greet back' },
        ],
      }),
      target(),
    );
    expect(body(call).messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello', thinking: 'greet back' },
    ]);
  });

  test('sampling parameters map to Ollama options and reasoning effort to think', () => {
    const call = ollama.chat.encode(
      chat({
        stream: true,
        includeUsage: true,
        maxTokens: 64,
        temperature: 0.2,
        topP: 0.9,
        stop: ['END'],
        seed: 7,
        presencePenalty: 0.5,
        frequencyPenalty: 0.25,
        reasoningEffort: 'minimal',
        user: 'u1',
        responseFormat: { type: 'json_object' },
      }),
      target(),
    );
    expect(body(call)).toEqual({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      format: 'json',
      think: 'low',
      options: {
        num_predict: 64,
        temperature: 0.2,
        top_p: 0.9,
        stop: ['END'],
        seed: 7,
        presence_penalty: 0.5,
        frequency_penalty: 0.25,
      },
    });
    expect(body(ollama.chat.encode(chat({ reasoningEffort: 'high' }), target())).think).toBe('high');
  });

  test("tool_choice 'none' sends no tools, a named choice sends only that tool", () => {
    const other: ToolDefinition = { name: 'get_time' };
    expect(body(ollama.chat.encode(chat({ tools: [weatherTool, other], toolChoice: 'none' }), target())).tools).toBe(
      undefined,
    );
    const named = body(
      ollama.chat.encode(chat({ tools: [weatherTool, other], toolChoice: { name: 'get_time' } }), target()),
    );
    expect(named.tools).toEqual([
      { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
    ]);
  });

  test('tool call arguments that are not a JSON object are refused, empty ones become {}', () => {
    const withArgs = (args: string) =>
      chat({
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'f', arguments: args }] },
        ],
      });
    const err = thrown(() => ollama.chat.encode(withArgs('[1,2]'), target()));
    expect(err.status).toBe(400);
    expect(err.param).toBe('messages[1].tool_calls[0]');
    expect(body(ollama.chat.encode(withArgs(''), target())).messages).toMatchObject([
      {},
      { tool_calls: [{ function: { name: 'f', arguments: {} } }] },
    ]);
  });

  test('no key sends no authorization; a key is sent as a bearer token with the configured headers', () => {
    expect(ollama.chat.encode(chat(), target()).headers).toEqual({ 'content-type': 'application/json' });
    const call = ollama.chat.encode(
      chat(),
      target('llama3.2', { base_url: 'https://ollama.example.com/api', headers: { 'x-team': 'a' } }, 'proxy-key'),
    );
    expect(call.url).toBe('https://ollama.example.com/api/chat');
    expect(call.headers).toEqual({
      'content-type': 'application/json',
      'x-team': 'a',
      authorization: 'Bearer proxy-key',
    });
  });
});

describe('ollama completion and embedding requests', () => {
  test('a completion goes to /api/generate, raw, with its options', () => {
    const call = ollama.completions!.encode(
      {
        model: 'x',
        prompt: ['Why is the sky blue?'],
        stream: false,
        includeUsage: false,
        maxTokens: 100,
        topP: 0.9,
        temperature: 0.8,
        stop: ['\n', 'user:'],
      },
      target(),
    );
    expect(call.url).toBe('http://localhost:11434/api/generate');
    expect(body(call)).toEqual(fixture('generate.request.json'));
  });

  test('several prompts in one completion request are refused', () => {
    const err = thrown(() =>
      ollama.completions!.encode({ model: 'x', prompt: ['a', 'b'], stream: false, includeUsage: false }, target()),
    );
    expect(err.status).toBe(400);
    expect(err.param).toBe('prompt');
  });

  test('embeddings go to /api/embed with dimensions; token arrays are refused', () => {
    const call = ollama.embeddings!.encode(
      { model: 'x', input: ['Why is the sky blue?', 'Why is the grass green?'], encodingFormat: 'base64' },
      target('all-minilm'),
    );
    expect(call.url).toBe('http://localhost:11434/api/embed');
    expect(body(call)).toEqual(fixture('embed.request.json'));
    expect(body(ollama.embeddings!.encode({ model: 'x', input: 'a', dimensions: 256 }, target()))).toEqual({
      model: 'llama3.2',
      input: 'a',
      dimensions: 256,
    });
    expect(thrown(() => ollama.embeddings!.encode({ model: 'x', input: [1, 2, 3] }, target())).status).toBe(400);
  });
});

describe('ollama descriptor', () => {
  test('keyless with a local default, no passthrough', () => {
    expect(ollama.requiresKey).toBe(false);
    expect(ollama.defaultBaseUrl).toBe('http://localhost:11434');
    expect(ollama.passthrough).toBeUndefined();
  });

  test("a base_url on Ollama's OpenAI-compatible /v1 path is flagged", () => {
    const config = (base_url?: string) =>
      providerSchema.parse({ name: 'o', type: 'ollama', ...(base_url ? { base_url } : {}) });
    expect(ollama.validate?.(config('http://gpu-box:11434/v1'))).toEqual([
      { path: ['base_url'], message: expect.stringContaining('/v1') },
    ]);
    expect(ollama.validate?.(config('http://gpu-box:11434'))).toEqual([]);
    expect(ollama.validate?.(config())).toEqual([]);
  });
});
