import { describe, expect, test } from 'vitest';
import { bodyOf, chatRequest, thrown } from '../../../test/provider-tests.ts';
import { providerSchema } from '../../config/schema.ts';
import type { Target } from '../types.ts';
import { coze } from './index.ts';

const target = (key = 'pat_abc'): Target => ({
  baseUrl: 'https://api.coze.cn',
  key,
  upstreamModel: '7379462189365198898',
  provider: providerSchema.parse({ name: 'bots', type: 'coze', keys: [key] }),
});

describe('coze requests', () => {
  test('the bot id, the user, a stream without saved history, system folded into the first user turn', () => {
    const call = coze.chat.encode(
      chatRequest({
        user: 'u-42',
        temperature: 0.5,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: '2024 年 10 月 1 日是星期几' },
          { role: 'assistant', content: '星期二' },
          { role: 'user', content: '确定吗' },
        ],
      }),
      target(),
    );
    expect(call.url).toBe('https://api.coze.cn/v3/chat');
    expect(call.headers.authorization).toBe('Bearer pat_abc');
    expect(bodyOf(call)).toEqual({
      bot_id: '7379462189365198898',
      user_id: 'u-42',
      stream: true,
      auto_save_history: false,
      additional_messages: [
        { role: 'user', type: 'question', content: 'Be brief.\n\n2024 年 10 月 1 日是星期几', content_type: 'text' },
        { role: 'assistant', type: 'answer', content: '星期二', content_type: 'text' },
        { role: 'user', type: 'question', content: '确定吗', content_type: 'text' },
      ],
    });
  });

  test("a JWT app's key never goes upstream: authorize sets the bought token", () => {
    const call = coze.chat.encode(chatRequest(), target('jwt:1:k:-----BEGIN PRIVATE KEY-----\\n...'));
    expect(call.headers.authorization).toBeUndefined();
    expect(call.body).not.toContain('PRIVATE');
  });

  test('an inline (data:) image, tools, tool turns and several choices are refused by name', () => {
    const image = chatRequest({
      messages: [{ role: 'user', content: [{ type: 'image', url: 'data:image/png;base64,AAAA' }] }],
    });
    expect(thrown(() => coze.chat.encode(image, target())).message).toMatch(/data: URL/);
    const tools = chatRequest({ tools: [{ name: 'f' }] });
    expect(thrown(() => coze.chat.encode(tools, target())).message).toMatch(/^Tools/);
    const toolTurn = chatRequest({ messages: [{ role: 'tool', content: 'x', toolCallId: 'c' }] });
    expect(thrown(() => coze.chat.encode(toolTurn, target())).status).toBe(400);
    expect(thrown(() => coze.chat.encode(chatRequest({ n: 2 }), target())).message).toMatch(/n > 1/);
  });
});
