import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { bodyOf as body, chatRequest, thrown } from '../../../test/provider-tests.ts';
import { type ProviderConfig, providerSchema } from '../../config/schema.ts';
import { InvalidRequest } from '../../core/errors.ts';
import type { ChatRequest, ToolDefinition } from '../../core/types.ts';
import type { Target } from '../types.ts';
import { qianfan } from './index.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

function target(upstreamModel = 'ERNIE-Speed-8K', key = 'api-key-1:secret-key-1'): Target {
  const provider = providerSchema.parse({ name: 'baidu', type: 'qianfan', keys: [key] });
  return { baseUrl: 'https://aip.baidubce.com', key, upstreamModel, provider };
}

const chat = (extra: Partial<ChatRequest> = {}): ChatRequest =>
  chatRequest({ model: 'ernie', messages: [{ role: 'user', content: '你好' }], ...extra });

const echo: ToolDefinition = {
  name: 'echo',
  description: 'echo words',
  parameters: { type: 'object', properties: { words: { type: 'string' } } },
};

describe('qianfan chat requests', () => {
  test('the documented three-turn chat: system on top, sampling mapped into its ranges, no token yet', () => {
    const call = qianfan.chat.encode(
      chat({
        stream: true,
        messages: [
          { role: 'system', content: '你是一个乐于助人的助手' },
          { role: 'user', content: '你好' },
          { role: 'assistant', content: '需要什么帮助' },
          { role: 'user', content: '自我介绍下' },
        ],
        temperature: 0.8,
        topP: 0.8,
        frequencyPenalty: 1,
        stop: ['。'],
        maxTokens: 4096,
        user: 'user-1',
      }),
      target(),
    );
    expect(call.url).toBe('https://aip.baidubce.com/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/ernie_speed');
    expect(call.headers).toEqual({ 'content-type': 'application/json' });
    expect(body(call)).toEqual(fixture('chat.request.json'));
  });

  test.each([
    ['ERNIE-Speed-128K', 'ernie-speed-128k'],
    ['ERNIE-4.0-8K', 'completions_pro'],
    ['ernie-3.5-8k', 'completions'],
    ['ERNIE-Lite-8K-0922', 'eb-instant'],
    ['yi_34b_chat', 'yi_34b_chat'],
    ['my endpoint/1', 'my%20endpoint%2F1'],
  ])('model %s goes to endpoint %s (known names case-insensitively, others as the endpoint itself)', (model, path) => {
    expect(qianfan.chat.encode(chat(), target(model)).url).toBe(
      `https://aip.baidubce.com/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/${path}`,
    );
  });

  test("temperature is brought into Qianfan's (0, 1]; max_tokens into the model's bounds", () => {
    expect(body(qianfan.chat.encode(chat({ temperature: 0 }), target()))).toMatchObject({ temperature: 0.01 });
    expect(body(qianfan.chat.encode(chat({ temperature: 1.6 }), target()))).toMatchObject({ temperature: 1 });
    expect(body(qianfan.chat.encode(chat({ maxTokens: 1 }), target()))).toMatchObject({ max_output_tokens: 2 });
    expect(body(qianfan.chat.encode(chat({ maxTokens: 9000 }), target('ERNIE-Speed-128K')))).toMatchObject({
      max_output_tokens: 4096,
    });
    expect(body(qianfan.chat.encode(chat({ maxTokens: 9000 }), target('yi_34b_chat')))).toMatchObject({
      max_output_tokens: 9000,
    });
    const neutral = body(qianfan.chat.encode(chat({ frequencyPenalty: -1 }), target()));
    expect(neutral.penalty_score).toBeUndefined();
  });

  test('developer messages join the system prompt and consecutive turns of one role are joined', () => {
    const sent = body(
      qianfan.chat.encode(
        chat({
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'developer', content: 'Answer in Chinese.' },
            { role: 'user', content: 'Context: a cat.' },
            { role: 'user', content: [{ type: 'text', text: 'What is it?' }] },
          ],
        }),
        target(),
      ),
    );
    expect(sent.system).toBe('Be brief.\n\nAnswer in Chinese.');
    expect(sent.messages).toEqual([{ role: 'user', content: 'Context: a cat.\nWhat is it?' }]);
  });

  test('a tool round trip becomes function_call and a function message named by its tool (recorded follow-up)', () => {
    const call = qianfan.chat.encode(
      chat({
        tools: [echo],
        messages: [
          { role: 'user', content: 'echo: hello world!' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ id: 'call_1', name: 'echo', arguments: '{"words":"hello world!"}' }],
          },
          { role: 'tool', content: '{"words":"hello world!"}', toolCallId: 'call_1' },
        ],
      }),
      target('ERNIE-3.5-8K'),
    );
    expect(body(call)).toEqual(fixture('chat-function-history.request.json'));
  });

  test('tool_choice: a named tool is forced, required forces a lone tool, none sends no functions', () => {
    const two = [echo, { name: 'shout' }];
    expect(body(qianfan.chat.encode(chat({ tools: two, toolChoice: { name: 'shout' } }), target()))).toMatchObject({
      functions: [{ name: 'echo' }, { name: 'shout', description: '', parameters: { type: 'object', properties: {} } }],
      tool_choice: { type: 'function', function: { name: 'shout' } },
    });
    expect(body(qianfan.chat.encode(chat({ tools: [echo], toolChoice: 'required' }), target())).tool_choice).toEqual({
      type: 'function',
      function: { name: 'echo' },
    });
    expect(
      body(qianfan.chat.encode(chat({ tools: two, toolChoice: 'required' }), target())).tool_choice,
    ).toBeUndefined();
    expect(body(qianfan.chat.encode(chat({ tools: two, toolChoice: 'none' }), target())).functions).toBeUndefined();
  });

  test('a JSON object response format is carried; what ERNIE cannot carry is refused with a 400 naming it', () => {
    expect(body(qianfan.chat.encode(chat({ responseFormat: { type: 'json_object' } }), target()))).toMatchObject({
      response_format: 'json_object',
    });
    const refusals: [Partial<ChatRequest>, RegExp][] = [
      [{ messages: [{ role: 'user', content: [{ type: 'image', url: 'https://x/cat.png' }] }] }, /^Image input/],
      [{ n: 2 }, /^Several choices/],
      [{ responseFormat: { type: 'json_schema', name: 'x', schema: {} } }, /^A JSON schema response format/],
      [
        {
          messages: [
            { role: 'user', content: 'hi' },
            {
              role: 'assistant',
              content: '',
              toolCalls: [
                { id: 'a', name: 'echo', arguments: '{}' },
                { id: 'b', name: 'echo', arguments: '{}' },
              ],
            },
          ],
        },
        /^Several tool calls in one assistant turn/,
      ],
    ];
    for (const [extra, message] of refusals) {
      const err = thrown(() => qianfan.chat.encode(chat(extra), target()));
      expect(err).toBeInstanceOf(InvalidRequest);
      expect(err.status).toBe(400);
      expect(err.message).toMatch(message);
      expect(err.message).toContain("'baidu'");
    }
  });

  test('the key pair never appears in the call: the access token is added later by authorize', () => {
    const call = qianfan.chat.encode(chat(), target('ERNIE-Speed-8K', 'the-api-key:the-secret-key'));
    expect(JSON.stringify(call)).not.toMatch(/the-api-key|the-secret-key/);
  });
});

describe('qianfan embedding requests', () => {
  test('Embedding-V1 goes to embedding-v1 with its inputs as a list', () => {
    const call = qianfan.embeddings!.encode({ model: 'emb', input: 'hello', user: 'u' }, target('Embedding-V1'));
    expect(call.url).toBe('https://aip.baidubce.com/rpc/2.0/ai_custom/v1/wenxinworkshop/embeddings/embedding-v1');
    expect(body(call)).toEqual({ input: ['hello'], user_id: 'u' });
    expect(qianfan.embeddings!.encode({ model: 'emb', input: ['a'] }, target('bge-large-zh')).url).toMatch(
      /\/embeddings\/bge_large_zh$/,
    );
  });

  test('token arrays and chosen dimensions are refused', () => {
    expect(thrown(() => qianfan.embeddings!.encode({ model: 'e', input: [[1, 2]] }, target('tao-8k'))).status).toBe(
      400,
    );
    expect(
      thrown(() => qianfan.embeddings!.encode({ model: 'e', input: 'x', dimensions: 64 }, target('tao-8k'))).message,
    ).toMatch(/dimensions/);
  });
});

describe('qianfan validation', () => {
  const config = (extra: Partial<ProviderConfig> & Record<string, unknown>) =>
    providerSchema.parse({ name: 'baidu', type: 'qianfan', ...extra });

  test('every key must be API_KEY:SECRET_KEY; the problem names the key by index, never by value', () => {
    expect(qianfan.validate?.(config({ keys: ['ak:sk', 'only-an-api-key', ':sk', 'ak:'] }))).toEqual([
      { path: ['keys', 1], message: 'must be API_KEY:SECRET_KEY (the two joined by a colon)' },
      { path: ['keys', 2], message: 'must be API_KEY:SECRET_KEY (the two joined by a colon)' },
      { path: ['keys', 3], message: 'must be API_KEY:SECRET_KEY (the two joined by a colon)' },
    ]);
    expect(qianfan.validate?.(config({ keys: ['ak:sk:with-colon'] }))).toEqual([]);
  });

  test('an enabled provider needs a key', () => {
    expect(qianfan.validate?.(config({}))).toEqual([{ path: ['keys'], message: 'required: API_KEY:SECRET_KEY' }]);
    expect(qianfan.validate?.(config({ enabled: false }))).toEqual([]);
  });
});
