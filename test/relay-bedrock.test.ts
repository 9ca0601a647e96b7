import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type RunningGateway, startGateway } from './harness.ts';
import { trustAwsKey } from './mock-upstream/bedrock.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

let mock: MockUpstream;
let gateway: RunningGateway;
const PROFILE = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';

beforeAll(async () => {
  trustAwsKey('AKIDGOOD', 'good-secret');
  trustAwsKey('AKIDBUSY', 'busy-secret');
  mock = await startMockUpstream();
  gateway = await startGateway({
    routing: { retries: 2, cooldown_on_429: '30s' },
    providers: [
      {
        name: 'br',
        type: 'bedrock',
        base_url: mock.url,
        region: 'us-west-2',
        keys: ['AKIDGOOD:good-secret'],
        models: [PROFILE],
      },
      {
        name: 'br-session',
        type: 'bedrock',
        base_url: mock.url,
        keys: ['AKIDGOOD:good-secret:session-token-1'],
        model_map: { 'with-session': PROFILE },
      },
      {
        name: 'br-wrong',
        type: 'bedrock',
        base_url: mock.url,
        keys: ['AKIDGOOD:wrong-secret'],
        model_map: { wrong: PROFILE },
      },
      {
        name: 'br-busy',
        type: 'bedrock',
        base_url: mock.url,
        keys: ['AKIDBUSY:busy-secret'],
        model_map: { pair: PROFILE },
        priority: 0,
      },
      {
        name: 'br-spare',
        type: 'bedrock',
        base_url: mock.url,
        keys: ['AKIDGOOD:good-secret'],
        model_map: { pair: PROFILE },
        priority: 1,
      },
    ],
  });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

beforeEach(() => mock.reset());

const messages = [{ role: 'user' as const, content: 'hello bedrock' }];

describe('openai client -> gateway -> Bedrock Converse', () => {
  test('a signed Converse call to the inference profile; the answer with usage', async () => {
    const res = await gateway.openai().chat.completions.create({ model: PROFILE, messages });
    expect(res.choices[0]?.message.content).toBe('echo: hello bedrock');
    expect(res.usage?.total_tokens).toBeGreaterThan(0);
    const seen = mock.requests[0]!;
    expect(seen.path).toBe(`/model/${encodeURIComponent(PROFILE)}/converse`);
    expect(seen.headers.authorization).toMatch(/Credential=AKIDGOOD\/\d{8}\/us-west-2\/bedrock\/aws4_request/);
    expect(seen.status).toBe(200);
  });

  test('stream: binary event frames become OpenAI chunks, usage included', async () => {
    const stream = await gateway.openai().chat.completions.create({
      model: PROFILE,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let total = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      total = chunk.usage?.total_tokens ?? total;
    }
    expect(text).toBe('echo: hello bedrock');
    expect(total).toBeGreaterThan(0);
    expect(mock.requests[0]?.path).toMatch(/\/converse-stream$/);
  });

  test('a streamed tool call arrives with its arguments', async () => {
    const stream = await gateway.openai().chat.completions.create({
      model: PROFILE,
      messages: [{ role: 'user', content: 'call lookup {"q":"bedrock"}' }],
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      stream: true,
    });
    let args = '';
    let name = '';
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        name ||= call.function?.name ?? '';
        args += call.function?.arguments ?? '';
      }
    }
    expect(name).toBe('lookup');
    expect(JSON.parse(args)).toEqual({ q: 'bedrock' });
  });

  test('a session token is sent and signed', async () => {
    await gateway.openai().chat.completions.create({ model: 'with-session', messages });
    expect(mock.requests[0]?.headers['x-amz-security-token']).toBe('session-token-1');
    expect(mock.requests[0]?.status).toBe(200);
  });

  test('a wrong secret: the signature is refused, a 502 that says so without the secret, the key taken out', async () => {
    const err = await gateway
      .openai()
      .chat.completions.create({ model: 'wrong', messages })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502 });
    expect(String((err as Error).message)).toContain('signature we calculated does not match');
    expect(String((err as Error).message)).not.toContain('wrong-secret');
    expect(gateway.gw.keyHealth.status('br-wrong/key#1').disabledReason).toBeDefined();
  });

  test('throttling (429) cools the key down and the next deployment answers', async () => {
    mock.enqueue(
      { status: 429, body: { message: 'Too many requests, please wait before trying again.' } },
      { key: 'AKIDBUSY' },
    );
    const res = await gateway.openai().chat.completions.create({ model: 'pair', messages });
    expect(res.choices[0]?.message.content).toBe('echo: hello bedrock');
    expect(gateway.gw.keyHealth.status('br-busy/key#1').coolingUntil).toBeGreaterThan(Date.now());
  });
});
