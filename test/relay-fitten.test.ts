/**
 * Fitten Code through the gateway, end to end: the openai SDK as the client, the mock upstream in Fitten's dialect
 * (login, refresh, NDJSON chat), with one login shared by concurrent requests and tokens refreshed on expiry and 401.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type RunningGateway, startGateway } from './harness.ts';
import { revokeFittenAccessTokens, setFittenAccessSeconds } from './mock-upstream/fitten.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

let mock: MockUpstream;
let gateway: RunningGateway;

const ACCOUNTS = ['alice:secret', 'bob:pw', 'carol:pw', 'dave:pw'];

beforeAll(async () => {
  mock = await startMockUpstream({ keys: ACCOUNTS });
  const account = (key: string, model: string) => ({
    name: `fitten-${key.split(':')[0]}`,
    type: 'fitten',
    base_url: mock.url,
    keys: [key],
    model_map: { [model]: 'fitten-code' },
  });
  gateway = await startGateway({
    providers: [
      { name: 'fitten', type: 'fitten', base_url: mock.url, keys: ['alice:secret'], models: ['fitten-code'] },
      account('bob:pw', 'bob'),
      account('carol:pw', 'carol'),
      account('dave:pw', 'dave'),
      account('eve:wrong', 'eve'),
    ],
  });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

beforeEach(() => mock.reset());
afterEach(() => setFittenAccessSeconds(3600));

const user = (content: string) => [{ role: 'user' as const, content }];
const paths = () => mock.requests.map((r) => `${r.path.split('/').at(-1)} ${r.status}`);

describe('fitten', () => {
  test("a non-stream chat: fitten-code-api's prompt format, the user id, the answer assembled", async () => {
    const res = await gateway.openai().chat.completions.create({
      model: 'fitten-code',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello world' },
        { role: 'assistant', content: 'hi' },
        { role: 'user', content: 'again' },
      ],
    });
    expect(res.choices[0]?.message.content).toBe('echo: again');
    expect(res.choices[0]?.finish_reason).toBe('stop');
    const chat = mock.requests.find((r) => r.path === '/codeapi/chat_auth')!;
    const userId = chat.query.apikey;
    expect(userId).toMatch(/^uid-/);
    expect(chat.body).toEqual({
      ft_token: userId,
      inputs:
        '<|system|>\nBe brief.\n<|end|>\n<|user|>\nhello world\n<|end|>\n<|assistant|>\nhi\n<|end|>\n<|user|>\nagain\n<|end|>\n<|assistant|>',
    });
  });

  test('a stream arrives piece by piece and finishes with stop', async () => {
    const stream = await gateway
      .openai()
      .chat.completions.create({ model: 'fitten-code', messages: user('one two three'), stream: true });
    const pieces: string[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) pieces.push(chunk.choices[0].delta.content);
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(pieces.join('')).toBe('echo: one two three');
    expect(pieces.length).toBeGreaterThan(1);
    expect(finish).toBe('stop');
  });

  test('concurrent first requests share one login', async () => {
    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => gateway.openai().chat.completions.create({ model: 'bob', messages: user(`n${n}`) })),
    );
    expect(answers.map((a) => a.choices[0]?.message.content)).toEqual([
      'echo: n1',
      'echo: n2',
      'echo: n3',
      'echo: n4',
      'echo: n5',
    ]);
    expect(mock.requests.filter((r) => r.path === '/codeuser/auth/login')).toHaveLength(1);
  });

  test('an access token refused with 401 is refreshed with the refresh token and the call answered', async () => {
    await gateway.openai().chat.completions.create({ model: 'carol', messages: user('hi') });
    revokeFittenAccessTokens();
    const res = await gateway.openai().chat.completions.create({ model: 'carol', messages: user('again') });
    expect(res.choices[0]?.message.content).toBe('echo: again');
    expect(paths()).toEqual([
      'login 200',
      'chat_auth 200',
      'chat_auth 401',
      'refresh_access_token 200',
      'chat_auth 200',
    ]);
  });

  test('an access token about to expire (its JWT exp) is refreshed before the call', async () => {
    setFittenAccessSeconds(30);
    await gateway.openai().chat.completions.create({ model: 'dave', messages: user('hi') });
    await gateway.openai().chat.completions.create({ model: 'dave', messages: user('again') });
    expect(paths()).toEqual(['login 200', 'chat_auth 200', 'refresh_access_token 200', 'chat_auth 200']);
  });

  test('a refused login is a 502 that says so, without the password', async () => {
    const err = await gateway
      .openai()
      .chat.completions.create({ model: 'eve', messages: user('hi') })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502 });
    expect(String((err as Error).message)).toMatch(/refused the login of eve: Incorrect username or password/);
    expect(String((err as Error).message)).not.toContain('wrong');
  });

  test('an image is refused with a 400 that names it, and nothing goes upstream', async () => {
    const err = await gateway
      .openai()
      .chat.completions.create({
        model: 'fitten-code',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }],
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400 });
    expect(String((err as Error).message)).toMatch(/Image input/);
    expect(mock.requests).toHaveLength(0);
  });
});
