/**
 * o1-api's config.yaml and N-1's config.json, as their READMEs show them, load unchanged and serve what those gateways
 * served: their bearer token, every request (whatever model it names, or none) reaching the reasoning loop or the
 * ensemble, with status feedback as they configure it.
 */
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { importN1 } from '../src/config/import/n-1.ts';
import { importO1Api } from '../src/config/import/o1-api.ts';
import { parseConfig } from '../src/config/loader.ts';
import { type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

let mock: MockUpstream;
let gateway: RunningGateway | undefined;

beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  mock.reset();
});

async function post(body: Record<string, unknown>, token: string): Promise<{ status: number; text: string }> {
  const res = await request(`${gateway!.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

test("o1-api's config.yaml: the bearer token, no model named, steps and the answer, a conversation kept", async () => {
  const yaml = `api_bearer_token: "your_api_bearer_token_here"
model_provider_api_key: "your_model_provider_api_key_here"
default_api_url: "${mock.url}/v1/chat/completions"
default_model: "example-model-name"
stream_status_feedback: true
use_regex_processing: true  # Controls output format
`;
  const loaded = parseConfig(yaml, 'config.yaml', {});
  expect(loaded.format).toBe('o1-api');
  expect(loaded.config.server).toMatchObject({ host: '0.0.0.0', port: 18888 });
  gateway = await startGateway({ ...importO1Api(parseYaml(yaml)).config, server: { port: 0 } });

  expect((await post({ messages: [{ role: 'user', content: 'hi' }] }, 'wrong')).status).toBe(401);

  const step = JSON.stringify({ title: 'Think', content: 'Six sevens.', next_action: 'final_answer' });
  mock.enqueue({ reply: step });
  mock.enqueue({ reply: 'It is 42.' });
  const first = await post(
    {
      conversation_id: 'unique_conversation_id',
      messages: [{ role: 'user', content: 'What is 6 x 7?' }],
      stream: true,
    },
    'your_api_bearer_token_here',
  );
  expect(first.status).toBe(200);
  expect(first.text).toContain('"reasoning_content":"Step 1: Think\\n"');
  expect(first.text).toContain('It');
  expect(first.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  expect(
    mock.requests.every((r) => r.model === 'example-model-name' && r.key === 'your_model_provider_api_key_here'),
  ).toBe(true);

  mock.enqueue({ reply: step });
  mock.enqueue({ reply: 'Still 42.' });
  const second = await post(
    { conversation_id: 'unique_conversation_id', model: 'anything', messages: [{ role: 'user', content: 'Sure?' }] },
    'your_api_bearer_token_here',
  );
  expect(second.status).toBe(200);
  expect(JSON.parse(second.text)).toMatchObject({ model: 'o1', choices: [{ message: { content: 'Still 42.' } }] });
  // The second turn's steps saw the first turn and its answer.
  const stepMessages = (mock.requests.at(-2)!.body as { messages: { content: string }[] }).messages;
  expect(stepMessages.map((m) => m.content)).toEqual(expect.arrayContaining(['What is 6 x 7?', 'It is 42.', 'Sure?']));
});

test("N-1's config.json: every model asked, the summary model given their answers and its prompt", async () => {
  const json = JSON.stringify({
    api_bearer_token: 'your_api_token',
    models: [
      {
        endpoint: `${mock.url}/v1/chat/completions`,
        bearer_token: 'your_model_access_token',
        model_name: 'model1',
        temperature: 0.7,
        max_retries: 3,
        timeout: 150,
      },
      {
        endpoint: `${mock.url}/v1/chat/completions`,
        bearer_token: 'your_model_access_token',
        model_name: 'model6',
        temperature: 0.7,
        max_retries: 3,
        timeout: 150,
      },
    ],
    summary_model: {
      endpoint: `${mock.url}/v1/chat/completions`,
      bearer_token: 'your_summary_model_access_token',
      model_name: 'summary_model',
      temperature: 0.1,
      summary_prompt: 'Merge the reference answers.',
      timeout: 150,
    },
    stream_status_feedback: true,
  });
  const loaded = parseConfig(json, 'config.json', {});
  expect(loaded.format).toBe('n-1');
  expect(loaded.config.models.virtual[0]).toMatchObject({ type: 'ensemble', member_timeout: 150_000 });
  gateway = await startGateway({ ...importN1(JSON.parse(json)).config, server: { port: 0 } });

  const answer = await post({ messages: [{ role: 'user', content: 'Name a colour.' }] }, 'your_api_token');
  expect(answer.status).toBe(200);
  const models = mock.requests.map((r) => `${r.model} ${r.key}`).sort();
  expect(models).toEqual([
    'model1 your_model_access_token',
    'model6 your_model_access_token',
    'summary_model your_summary_model_access_token',
  ]);
  const summaryInput = (
    mock.requests.find((r) => r.model === 'summary_model')!.body as { messages: { content: string }[] }
  ).messages[0]!.content;
  expect(summaryInput).toContain('参考回答1: echo: Name a colour.');
  expect(summaryInput).toContain('参考回答2: echo: Name a colour.');
  expect(summaryInput.endsWith('Merge the reference answers.')).toBe(true);
  expect(JSON.parse(answer.text).choices[0].message.content).toBe(`echo: ${summaryInput}`);
});
