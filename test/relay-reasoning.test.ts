import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

// DeepSeek-style upstream (reasoning_content), OpenRouter-style upstream (reasoning), a Qwen preset and a plain one.
let deepseek: MockUpstream;
let openrouter: MockUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  deepseek = await startMockUpstream();
  openrouter = await startMockUpstream({ reasoningField: 'reasoning' });
  gateway = await startGateway({
    auth: { keys: [CLIENT_KEY, { key: 'sk-think-tags', name: 'tags', reasoning_format: 'thinking' }] },
    providers: [
      { name: 'ds', type: 'deepseek', base_url: `${deepseek.url}/v1`, keys: ['k'], models: ['deepseek-reasoner'] },
      { name: 'or', type: 'openrouter', base_url: `${openrouter.url}/v1`, keys: ['k'], models: ['r1-or'] },
      { name: 'qw', type: 'qwen', base_url: `${deepseek.url}/v1`, keys: ['k'], models: ['qwen3-plus'] },
      { name: 'oa', type: 'openai', base_url: `${deepseek.url}/v1`, keys: ['k'], models: ['o4-mini'] },
    ],
  });
});

afterAll(async () => {
  await gateway.close();
  await deepseek.close();
  await openrouter.close();
});

beforeEach(() => {
  deepseek.reset();
  openrouter.reset();
});

const user = [{ role: 'user', content: 'why is the sky blue' }];

async function chat(
  model: string,
  opts: { query?: string; headers?: Record<string, string>; stream?: boolean; key?: string } = {},
) {
  const res = await request(`${gateway.url}/v1/chat/completions${opts.query ?? ''}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${opts.key ?? CLIENT_KEY}`,
      'content-type': 'application/json',
      ...opts.headers,
    },
    body: JSON.stringify({ model, messages: user, stream: opts.stream === true }),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

/** The deltas of an OpenAI SSE stream, merged field by field. */
function merged(sse: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of sse.split('\n')) {
    if (!line.startsWith('data: {')) continue;
    const delta = JSON.parse(line.slice(6)).choices?.[0]?.delta ?? {};
    for (const [k, v] of Object.entries(delta)) if (typeof v === 'string') out[k] = (out[k] ?? '') + v;
  }
  return out;
}

describe('reasoning_format chooses where reasoning goes in OpenAI-format answers', () => {
  test('default: reasoning_content, from a DeepSeek upstream and from an OpenRouter upstream alike', async () => {
    deepseek.enqueue({ think: true });
    openrouter.enqueue({ think: true });
    for (const model of ['deepseek-reasoner', 'r1-or']) {
      const message = JSON.parse((await chat(model)).text).choices[0].message;
      expect(message.reasoning_content).toBe('thinking about: why is the sky blue');
      expect(message.reasoning).toBeUndefined();
      expect(message.content).toBe('echo: why is the sky blue');
    }
  });

  test('?reasoning_format=reasoning moves it to `reasoning`, stream and not', async () => {
    deepseek.enqueue({ think: true });
    const message = JSON.parse((await chat('deepseek-reasoner', { query: '?reasoning_format=reasoning' })).text)
      .choices[0].message;
    expect(message.reasoning).toBe('thinking about: why is the sky blue');
    expect(message.reasoning_content).toBeUndefined();

    deepseek.enqueue({ think: true });
    const deltas = merged(
      (await chat('deepseek-reasoner', { query: '?reasoning_format=reasoning', stream: true })).text,
    );
    expect(deltas.reasoning).toBe('thinking about: why is the sky blue');
    expect(deltas.reasoning_content).toBeUndefined();
    expect(deltas.content).toBe('echo: why is the sky blue');
  });

  test('an OpenRouter upstream streamed through with reasoning_content asked for is converted', async () => {
    openrouter.enqueue({ think: true });
    const deltas = merged(
      (await chat('r1-or', { headers: { 'x-reasoning-format': 'reasoning_content' }, stream: true })).text,
    );
    expect(deltas.reasoning_content).toBe('thinking about: why is the sky blue');
    expect(deltas.reasoning).toBeUndefined();
  });

  test('thinking: <think> tags before the answer in content; the key default applies', async () => {
    deepseek.enqueue({ think: true });
    const message = JSON.parse((await chat('deepseek-reasoner', { key: 'sk-think-tags' })).text).choices[0].message;
    expect(message.content).toBe('<think>\nthinking about: why is the sky blue\n</think>\n\necho: why is the sky blue');
    expect(message.reasoning_content).toBeUndefined();

    deepseek.enqueue({ think: true });
    const deltas = merged((await chat('deepseek-reasoner', { key: 'sk-think-tags', stream: true })).text);
    expect(deltas.content).toBe('<think>\nthinking about: why is the sky blue\n</think>\n\necho: why is the sky blue');
  });

  test('the URL overrides the key default', async () => {
    deepseek.enqueue({ think: true });
    const message = JSON.parse(
      (await chat('deepseek-reasoner', { key: 'sk-think-tags', query: '?reasoning_format=reasoning_content' })).text,
    ).choices[0].message;
    expect(message.reasoning_content).toBe('thinking about: why is the sky blue');
  });

  test('an unknown reasoning_format or thinking value is a 400 naming it; nothing goes upstream', async () => {
    const bad = await chat('deepseek-reasoner', { query: '?reasoning_format=xml' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error.message).toContain("reasoning_format 'xml'");
    const worse = await chat('deepseek-reasoner', { query: '?thinking=maybe' });
    expect(worse.status).toBe(400);
    expect(deepseek.requests).toHaveLength(0);
  });
});

describe('?thinking=true turns thinking on with each vendor switch', () => {
  test('OpenAI: reasoning_effort; Qwen: enable_thinking; OpenRouter: a reasoning object', async () => {
    await chat('o4-mini', { query: '?thinking=true' });
    await chat('qwen3-plus', { query: '?thinking=true' });
    await chat('r1-or', { headers: { 'x-thinking': 'true' } });
    const [openaiBody, qwenBody] = deepseek.requests.map((r) => r.body as Record<string, unknown>);
    expect(openaiBody?.reasoning_effort).toBe('medium');
    expect(qwenBody?.enable_thinking).toBe(true);
    expect((openrouter.requests[0]!.body as Record<string, unknown>).reasoning).toEqual({ effort: 'medium' });
  });

  test('without it, the body goes through untouched', async () => {
    await chat('qwen3-plus');
    expect((deepseek.requests[0]!.body as Record<string, unknown>).enable_thinking).toBeUndefined();
  });
});
