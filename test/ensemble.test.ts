/**
 * The ensemble virtual model (N-1) through the official SDKs: every member asked in parallel, the summarizer given
 * their answers, failed and late members left out and named, usage and cost added up over every call.
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { N1_SUMMARY_PROMPT } from '../src/pipelines/ensemble.ts';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

let mock: MockUpstream;
let gateway: RunningGateway;
let openai: OpenAI;

const provider = (name: string, key: string, model: string) => ({
  name,
  type: 'openai' as const,
  base_url: '',
  keys: [key],
  models: [model],
});

beforeAll(async () => {
  mock = await startMockUpstream();
  const providers = [
    provider('a', 'ka', 'm-a'),
    provider('b', 'kb', 'm-b'),
    provider('c', 'kc', 'm-c'),
    provider('s', 'ks', 'm-sum'),
  ].map((p) => ({ ...p, base_url: `${mock.url}/v1` }));
  gateway = await startGateway({
    providers,
    routing: { retries: 0 },
    prices: {
      'm-a': { input: 1, output: 1 },
      'm-b': { input: 1, output: 1 },
      'm-sum': { input: 2, output: 2 },
      'council-priced': { input: 100, output: 100 },
    },
    models: {
      virtual: [
        { name: 'council', type: 'ensemble', members: ['m-a', 'm-b'], summarizer: 'm-sum' },
        {
          name: 'council-live',
          type: 'ensemble',
          members: ['m-a', 'm-b', 'm-c'],
          summarizer: 'm-sum',
          member_timeout: '300ms',
          status_feedback: true,
          summary_prompt: 'Merge them.',
        },
        { name: 'council-of-councils', type: 'ensemble', members: ['council', 'm-c'], summarizer: 'm-sum' },
        { name: 'council-priced', type: 'ensemble', members: ['m-a', 'm-b'], summarizer: 'm-sum' },
      ],
    },
  });
  openai = gateway.openai();
});

afterAll(async () => {
  await gateway?.close();
  await mock?.close();
});

beforeEach(() => {
  mock.reset();
  mock.setKeyBehaviour('ka', { reply: 'Paris, says A.' });
  mock.setKeyBehaviour('kb', { reply: 'Paris, says B.' });
  mock.setKeyBehaviour('kc', { reply: 'Lyon, says C.' });
  mock.setKeyBehaviour('ks', undefined); // the summarizer echoes what it was given
});

const question = [{ role: 'user' as const, content: 'What is the capital of France?' }];
const calls = () => mock.requests.map((r) => ({ model: r.model, body: r.body as { messages: { content: string }[] } }));

test('every member is asked the question, and the summarizer gets their answers, the question and the prompt', async () => {
  const answer = await openai.chat.completions.create({ model: 'council', messages: question });
  const made = calls();
  expect(made.map((c) => c.model).sort()).toEqual(['m-a', 'm-b', 'm-sum']);
  for (const member of made.filter((c) => c.model !== 'm-sum')) {
    expect(member.body.messages).toEqual([{ role: 'user', content: 'What is the capital of France?' }]);
  }
  const summaryInput = made.find((c) => c.model === 'm-sum')!.body.messages;
  expect(summaryInput).toHaveLength(1);
  const text = summaryInput[0]!.content;
  expect(text).toContain('Paris, says A.');
  expect(text).toContain('Paris, says B.');
  expect(text).toContain('用户的问题是：What is the capital of France?');
  expect(text.endsWith(N1_SUMMARY_PROMPT)).toBe(true);

  expect(answer.model).toBe('council');
  expect(answer.choices[0]!.message.content).toBe(`echo: ${text}`);
  // Usage adds up over the three calls (the mock counts words): two members asked the question, one summary.
  const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
  expect(answer.usage!.prompt_tokens).toBe(2 * words('What is the capital of France?') + words(text));
  expect(answer.usage!.completion_tokens).toBe(words('Paris, says A.') * 2 + words(`echo: ${text}`));
});

test('each call has its own usage log under the request, billed at its model’s price', async () => {
  const res = await openai.chat.completions.create({ model: 'council', messages: question }).withResponse();
  const parentId = res.response.headers.get('x-request-id')!;
  await gateway.gw.usage.flush();
  const logs = await gateway.gw.store.db
    .selectFrom('usage_logs')
    .select(['request_id', 'parent_request_id', 'model', 'quota', 'prompt_tokens', 'completion_tokens'])
    .where((eb) => eb.or([eb('request_id', '=', parentId), eb('parent_request_id', '=', parentId)]))
    .execute();
  const parent = logs.find((l) => l.request_id === parentId)!;
  const children = logs.filter((l) => l.parent_request_id === parentId);
  expect(children.map((c) => c.model).sort()).toEqual(['m-a', 'm-b', 'm-sum']);
  for (const c of children) expect(c.quota).toBeGreaterThan(0);
  expect(parent).toMatchObject({ model: 'council', quota: 0 }); // the calls are billed, not the sum again
  expect(parent.prompt_tokens).toBe(children.reduce((n, c) => n + c.prompt_tokens, 0));
  expect(parent.completion_tokens).toBe(children.reduce((n, c) => n + c.completion_tokens, 0));
});

test('a virtual model with a price of its own is billed at it, over all its tokens; its calls cost nothing', async () => {
  const res = await openai.chat.completions.create({ model: 'council-priced', messages: question }).withResponse();
  const parentId = res.response.headers.get('x-request-id')!;
  await gateway.gw.usage.flush();
  const logs = await gateway.gw.store.db
    .selectFrom('usage_logs')
    .select(['request_id', 'quota', 'prompt_tokens', 'completion_tokens'])
    .where((eb) => eb.or([eb('request_id', '=', parentId), eb('parent_request_id', '=', parentId)]))
    .execute();
  const parent = logs.find((l) => l.request_id === parentId)!;
  const tokens = parent.prompt_tokens + parent.completion_tokens;
  expect(parent.quota).toBe(Math.ceil(((tokens * 100) / 1_000_000) * 500_000));
  expect(logs.filter((l) => l.request_id !== parentId).map((l) => l.quota)).toEqual([0, 0, 0]);
});

test('a failed member and a late one are left out and named; the late call is cancelled', async () => {
  mock.setKeyBehaviour('kb', { status: 500 });
  mock.setKeyBehaviour('kc', { delayMs: 2_000, reply: 'too late' });
  const res = await openai.chat.completions.create({ model: 'council-live', messages: question }).withResponse();
  expect(res.response.headers.get('x-ensemble-failed')).toBe('m-b, m-c');
  const summaryInput = calls().find((c) => c.model === 'm-sum')!.body.messages[0]!.content;
  expect(summaryInput).toContain('Paris, says A.');
  expect(summaryInput).not.toContain('too late');
  expect(summaryInput.endsWith('Merge them.')).toBe(true);
  await expect.poll(() => mock.requests.find((r) => r.model === 'm-c')?.aborted).toBe(true);
});

test('with no member left, a clear 502 in the caller’s format', async () => {
  mock.setKeyBehaviour('ka', { status: 500 });
  mock.setKeyBehaviour('kb', { status: 503 });
  await expect(openai.chat.completions.create({ model: 'council', messages: question })).rejects.toMatchObject({
    status: 502,
    error: { code: 'ensemble_failed' },
  });
  const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: CLIENT_KEY, maxRetries: 0 });
  await expect(
    anthropic.messages.create({ model: 'council', max_tokens: 50, messages: question }),
  ).rejects.toMatchObject({ status: 502, error: { type: 'error', error: { type: 'api_error' } } });
  expect(calls().some((c) => c.model === 'm-sum')).toBe(false);
});

test('streaming: a status line per member as reasoning, then the summary, with the usage of every call', async () => {
  const stream = await openai.chat.completions.create({
    model: 'council-live',
    messages: question,
    stream: true,
    stream_options: { include_usage: true },
  });
  let reasoning = '';
  let content = '';
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
    reasoning += delta?.reasoning_content ?? '';
    content += delta?.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  expect(reasoning.split('\n').filter(Boolean).sort()).toEqual(['m-a ✅', 'm-b ✅', 'm-c ✅']);
  expect(content.startsWith('echo: 参考回答1:')).toBe(true);
  expect(usage!.total_tokens).toBeGreaterThan(0);
  const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
  const membersOut = ['Paris, says A.', 'Paris, says B.', 'Lyon, says C.'].reduce((n, s) => n + words(s), 0);
  expect(usage!.completion_tokens).toBe(membersOut + words(content));
});

test('an Anthropic client reaches the ensemble too, and it is listed among the models', async () => {
  const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: CLIENT_KEY, maxRetries: 0 });
  const answer = await anthropic.messages.create({ model: 'council', max_tokens: 200, messages: question });
  expect(answer.content[0]).toMatchObject({ type: 'text' });
  expect((answer.content[0] as { text: string }).text).toContain('Paris, says B.');
  const models = await openai.models.list();
  expect(models.data.map((m) => m.id)).toEqual(expect.arrayContaining(['council', 'council-live']));
});

test('a Gemini client reaches the ensemble too', async () => {
  const genai = new GoogleGenAI({ apiKey: CLIENT_KEY, httpOptions: { baseUrl: gateway.url } });
  const answer = await genai.models.generateContent({ model: 'council', contents: 'What is the capital of France?' });
  expect(answer.text).toContain('Paris, says A.');
  expect(
    calls()
      .map((c) => c.model)
      .sort(),
  ).toEqual(['m-a', 'm-b', 'm-sum']);
});

test('an ensemble may have another ensemble as a member', async () => {
  const answer = await openai.chat.completions.create({ model: 'council-of-councils', messages: question });
  expect(calls().filter((c) => c.model === 'm-sum')).toHaveLength(2); // the inner summary and the outer one
  expect(answer.choices[0]!.message.content).toContain('Lyon, says C.');
});
