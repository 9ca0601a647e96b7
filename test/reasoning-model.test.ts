/**
 * The reasoning virtual model (o1-api) through the official SDKs: steps as JSON calls to the underlying model, a
 * failed step tried again, status lines as reasoning text, the final answer through the output rules.
 */
import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { FINAL_PROMPT, STEPS_PROMPT } from '../src/pipelines/reasoning.ts';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

let mock: MockUpstream;
let gateway: RunningGateway;
let openai: OpenAI;

beforeAll(async () => {
  mock = await startMockUpstream();
  gateway = await startGateway({
    providers: [{ name: 'up', type: 'openai', base_url: `${mock.url}/v1`, keys: ['k'], models: ['m-think'] }],
    routing: { retries: 0 },
    models: {
      virtual: [
        {
          name: 'deep',
          type: 'reasoning',
          model: 'm-think',
          status_feedback: true,
          max_steps: 3,
          step_retries: 1,
          output_rules: [
            { find: 'colou?r', replace: 'hue', flags: 'i' },
            { find: 'forty two', replace: '42' },
          ],
        },
        {
          name: 'staged',
          type: 'reasoning',
          model: 'm-think',
          prompts: {
            stages: [
              { title: 'Plan', prompt: 'Plan how to answer.' },
              { title: 'Work', prompt: 'Carry out the plan.' },
              { title: 'Verify', prompt: 'Check the work.' },
            ],
            final: 'Now answer in one line.',
          },
        },
      ],
    },
  });
  openai = gateway.openai();
});

afterAll(async () => {
  await gateway?.close();
  await mock?.close();
});

beforeEach(() => mock.reset());

const step = (title: string, next: 'continue' | 'final_answer') =>
  JSON.stringify({ title, content: `Thinking about ${title.toLowerCase()}.`, next_action: next });
const question = [{ role: 'user' as const, content: 'What is six times seven?' }];
type Sent = { messages: { role: string; content: string }[]; response_format?: { type: string } };
const sent = (): Sent[] => mock.requests.map((r) => r.body as Sent);

test('steps run as JSON calls, then the answer, which goes through the output rules', async () => {
  mock.enqueue({ reply: step('Understand', 'continue') });
  mock.enqueue({ reply: step('Compute', 'final_answer') });
  mock.enqueue({ reply: 'The colour of forty two is blue.' });
  const answer = await openai.chat.completions.create({ model: 'deep', messages: question });
  const message = answer.choices[0]!.message as { content: string; reasoning_content?: string };
  expect(message.content).toBe('The hue of 42 is blue.');
  expect(message.reasoning_content).toContain('Step 1: Understand\nThinking about understand.');
  expect(message.reasoning_content).toContain('Step 2: Compute');
  expect(answer.model).toBe('deep');

  const [first, second, final] = sent();
  expect(sent()).toHaveLength(3);
  expect(first!.messages).toEqual([{ role: 'system', content: STEPS_PROMPT }, question[0]]);
  expect(first!.response_format).toEqual({ type: 'json_object' });
  expect(second!.messages.at(-1)).toEqual({ role: 'assistant', content: step('Understand', 'continue') });
  expect(final!.messages.at(-1)).toEqual({ role: 'user', content: FINAL_PROMPT });
  expect(final!.response_format).toBeUndefined();
});

test('a failed step is tried again; one that never becomes a step ends the reasoning, and the answer still comes', async () => {
  mock.enqueue({ status: 500 });
  mock.enqueue({ reply: step('Understand', 'continue') });
  mock.enqueue({ reply: 'not json' });
  mock.enqueue({ reply: 'still not json' });
  mock.enqueue({ reply: 'It is 42.' });
  const answer = await openai.chat.completions.create({ model: 'deep', messages: question });
  const message = answer.choices[0]!.message as { content: string; reasoning_content?: string };
  expect(message.content).toBe('It is 42.');
  expect(message.reasoning_content).toContain('Step 1: Understand');
  expect(message.reasoning_content).toContain('Step 2 failed: the answer was not a step in JSON');
  expect(sent()).toHaveLength(5);
});

test('streaming: a status line per step as reasoning, then the answer, rewritten across chunk boundaries', async () => {
  mock.enqueue({ reply: step('Understand', 'continue') });
  mock.enqueue({ reply: step('Check', 'continue') });
  mock.enqueue({ reply: step('Conclude', 'final_answer') });
  mock.enqueue({ reply: 'The answer is forty two, in any colour.' }); // streamed a word at a time
  const stream = await openai.chat.completions.create({
    model: 'deep',
    messages: question,
    stream: true,
    stream_options: { include_usage: true },
  });
  let reasoning = '';
  let content = '';
  let contentBeforeReasoningEnded = false;
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
    if (delta?.reasoning_content) {
      if (content) contentBeforeReasoningEnded = true;
      reasoning += delta.reasoning_content;
    }
    content += delta?.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  expect(reasoning).toBe('Step 1: Understand\nStep 2: Check\nStep 3: Conclude\n');
  expect(contentBeforeReasoningEnded).toBe(false);
  expect(content).toBe('The answer is 42, in any hue.');
  // Usage adds up over the four calls.
  expect(usage!.prompt_tokens).toBeGreaterThan(3 * 6);
});

test('an Anthropic client gets the answer, and every call is a usage log under the request', async () => {
  mock.enqueue({ reply: step('Only', 'final_answer') });
  mock.enqueue({ reply: 'Forty-two.' });
  const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: CLIENT_KEY, maxRetries: 0 });
  const res = await anthropic.messages.create({ model: 'deep', max_tokens: 100, messages: question }).withResponse();
  const text = res.data.content.find((b) => b.type === 'text') as { text: string };
  expect(text.text).toBe('Forty-two.');
  const parentId = res.response.headers.get('x-request-id')!;
  await gateway.gw.usage.flush();
  const children = await gateway.gw.store.db
    .selectFrom('usage_logs')
    .select('model')
    .where('parent_request_id', '=', parentId)
    .execute();
  expect(children.map((c) => c.model)).toEqual(['m-think', 'm-think']);
});

test('fixed stages: each its own instruction, each answer kept for the next, then the answer', async () => {
  for (const reply of ['Multiply.', 'Six sevens are 42.', 'Checked.', '42.']) mock.enqueue({ reply });
  const answer = await openai.chat.completions.create({ model: 'staged', messages: question });
  const message = answer.choices[0]!.message as { content: string; reasoning_content?: string };
  expect(message.content).toBe('42.');
  expect(message.reasoning_content).toContain('Step 2: Work\nSix sevens are 42.');
  const turns = sent().map((b) => b.messages.map((m) => `${m.role}: ${m.content}`));
  expect(turns).toEqual([
    ['user: What is six times seven?', 'user: Plan how to answer.'],
    [
      'user: What is six times seven?',
      'user: Plan how to answer.',
      'assistant: Multiply.',
      'user: Carry out the plan.',
    ],
    [
      'user: What is six times seven?',
      'user: Plan how to answer.',
      'assistant: Multiply.',
      'user: Carry out the plan.',
      'assistant: Six sevens are 42.',
      'user: Check the work.',
    ],
    [
      'user: What is six times seven?',
      'user: Plan how to answer.',
      'assistant: Multiply.',
      'user: Carry out the plan.',
      'assistant: Six sevens are 42.',
      'user: Check the work.',
      'assistant: Checked.',
      'user: Now answer in one line.',
    ],
  ]);
  expect(sent().every((b) => b.response_format === undefined)).toBe(true);
});
