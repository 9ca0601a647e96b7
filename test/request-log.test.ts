/**
 * The one JSON line per request (`"msg":"request"`): it names the request by its id and never carries a key or the
 * conversation, unless the channel that served it sets `log_content: true` (config file or admin API): then the
 * prompt and the generated text are on that line, for pass-through and converted answers, streamed or not.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AdminClient } from './admin-client.ts';
import { CLIENT_KEY, capturingLogger, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

const UPSTREAM_KEY = 'sk-upstream-key-for-log-test-0001';
const QUIET = 'quiet-model';
const LOGGED = 'logged-model';

let mock: MockUpstream;
let gateway: RunningGateway;
let lines: Record<string, unknown>[];

beforeAll(async () => {
  mock = await startMockUpstream({ keys: [UPSTREAM_KEY] });
  const captured = capturingLogger();
  lines = captured.lines;
  const provider = (name: string, model: string) => ({
    name,
    type: 'openai',
    base_url: `${mock.url}/v1`,
    keys: [UPSTREAM_KEY],
    models: [model],
  });
  gateway = await startGateway(
    { providers: [provider('quiet', QUIET), { ...provider('open-book', LOGGED), log_content: true }] },
    { log: captured.log },
  );
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

/** The request line of one request, found by its id. */
function requestLine(id: string | null): Record<string, unknown> {
  const found = lines.filter((l) => l.msg === 'request' && l.req === id);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** Every road an answer can take: OpenAI bytes passed through, and Anthropic's converted, each streamed or not. */
async function askEveryWay(model: string, prompt: string): Promise<string[]> {
  const ids: string[] = [];
  const openai = gateway.openai();
  const messages = [{ role: 'user' as const, content: prompt }];
  const plain = await openai.chat.completions.create({ model, messages }).withResponse();
  ids.push(plain.response.headers.get('x-request-id')!);
  const streamed = await openai.chat.completions.create({ model, messages, stream: true }).withResponse();
  for await (const _chunk of streamed.data);
  ids.push(streamed.response.headers.get('x-request-id')!);
  const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: CLIENT_KEY, maxRetries: 0 });
  const converted = await anthropic.messages.create({ model, max_tokens: 50, messages }).withResponse();
  ids.push(converted.response.headers.get('x-request-id')!);
  const convertedStream = await anthropic.messages
    .create({ model, max_tokens: 50, messages, stream: true })
    .withResponse();
  for await (const _event of convertedStream.data);
  ids.push(convertedStream.response.headers.get('x-request-id')!);
  return ids;
}

describe('request log lines', () => {
  test('off (the default): one line per request with its id, and no prompt, answer or key', async () => {
    const prompt = 'confidential plans for quiet-launch';
    const ids = await askEveryWay(QUIET, prompt);
    for (const id of ids) {
      expect(requestLine(id)).toMatchObject({
        msg: 'request',
        model: QUIET,
        status: 200,
        deployment: `quiet/key#1/${QUIET}`,
      });
      expect(requestLine(id)).not.toHaveProperty('prompt');
      expect(requestLine(id)).not.toHaveProperty('answer');
    }
    const everything = JSON.stringify(lines);
    expect(everything).not.toContain('confidential plans');
    expect(everything).not.toContain(UPSTREAM_KEY);
    expect(everything).not.toContain(CLIENT_KEY);
  });

  test('log_content: true adds the prompt messages and the generated text, on every road', async () => {
    const prompt = 'open plans for logged-launch';
    const ids = await askEveryWay(LOGGED, prompt);
    for (const id of ids) {
      const line = requestLine(id);
      expect(line.prompt).toEqual([{ role: 'user', content: prompt }]);
      // The mock answers with an echo of the prompt.
      expect(line.answer).toBe(`echo: ${prompt}`);
    }
    expect(JSON.stringify(lines)).not.toContain(UPSTREAM_KEY);
  });

  test('a channel made in the admin API takes log_content too', async () => {
    const root = await AdminClient.root(gateway.url);
    const made = await root.call('POST', '/api/channels', {
      name: 'made-in-admin',
      type: 'openai',
      base_url: `${mock.url}/v1`,
      keys: [UPSTREAM_KEY],
      models: ['admin-model'],
      log_content: true,
    });
    expect(made.status).toBe(201);
    const res = await gateway
      .openai()
      .chat.completions.create({ model: 'admin-model', messages: [{ role: 'user', content: 'written by admin' }] })
      .withResponse();
    expect(requestLine(res.response.headers.get('x-request-id'))).toMatchObject({
      prompt: [{ role: 'user', content: 'written by admin' }],
      answer: 'echo: written by admin',
    });
  });
});
