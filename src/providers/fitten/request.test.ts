import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { bodyOf, chatRequest, thrown } from '../../../test/provider-tests.ts';
import { providerSchema } from '../../config/schema.ts';
import type { Target } from '../types.ts';
import { fitten } from './index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const target: Target = {
  baseUrl: 'https://fc.fittentech.com',
  key: 'user@example.com:pw',
  upstreamModel: 'fitten-code',
  provider: providerSchema.parse({ name: 'fitten', type: 'fitten', keys: ['user@example.com:pw'] }),
};

describe('fitten requests', () => {
  test("the README's example as fitten-code-api's prompt; the user id is left to authorize", () => {
    const call = fitten.chat.encode(
      chatRequest({
        messages: [
          { role: 'system', content: 'You are a helpful assistant.' },
          { role: 'user', content: 'Hello!' },
        ],
        temperature: 0.2,
      }),
      target,
    );
    expect(call.url).toBe('https://fc.fittentech.com/codeapi/chat_auth');
    expect(call.headers['user-agent']).toMatch(/^Mozilla\/5\.0 /);
    const { ft_token: _, ...expected } = JSON.parse(fixture('chat.request.json'));
    expect(bodyOf(call)).toEqual(expected);
  });

  test('without a system turn an empty one comes first; developer turns are system turns', () => {
    expect(bodyOf(fitten.chat.encode(chatRequest(), target)).inputs).toBe(
      '<|system|>\n<|end|>\n<|user|>\nhi\n<|end|>\n<|assistant|>',
    );
    const developer = chatRequest({
      messages: [
        { role: 'developer', content: 'd' },
        { role: 'user', content: 'u' },
      ],
    });
    expect(bodyOf(fitten.chat.encode(developer, target)).inputs).toBe(
      '<|system|>\nd\n<|end|>\n<|user|>\nu\n<|end|>\n<|assistant|>',
    );
  });

  test('no user turn, images, tools and tool turns are 400s that say why', () => {
    const noUser = chatRequest({ messages: [{ role: 'system', content: 's' }] });
    expect(thrown(() => fitten.chat.encode(noUser, target)).message).toMatch(/at least one user message/);
    const image = chatRequest({ messages: [{ role: 'user', content: [{ type: 'image', url: 'https://x/a.png' }] }] });
    expect(thrown(() => fitten.chat.encode(image, target)).message).toMatch(/^Image input/);
    expect(thrown(() => fitten.chat.encode(chatRequest({ tools: [{ name: 'f' }] }), target)).status).toBe(400);
    const toolTurn = chatRequest({ messages: [{ role: 'tool', content: 'x', toolCallId: 'c' }] });
    expect(thrown(() => fitten.chat.encode(toolTurn, target)).message).toMatch(/^Tool calls/);
  });
});
