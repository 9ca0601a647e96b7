/**
 * Coze bots through the gateway, end to end: the openai SDK as the client, the mock upstream in Coze's dialect, with
 * personal access tokens and OAuth JWT apps (tokens bought, reused, renewed before expiry and after a 401).
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type RunningGateway, startGateway } from './harness.ts';
import { revokeCozeTokens, setCozeTokenSeconds, trustCozeApp } from './mock-upstream/coze.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

let mock: MockUpstream;
let gateway: RunningGateway;

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
// As an env variable carries it: one line, newlines escaped.
const pem = (privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).replaceAll('\n', '\\n');
const jwtKey = (appId: string): string => `jwt:${appId}:kid-${appId}:${pem}`;

beforeAll(async () => {
  mock = await startMockUpstream({ keys: ['pat_good', 'pat_busy1', 'pat_busy2'], models: ['bot-1', 'bot-reasoner'] });
  for (const app of ['1001', '1002', '1003']) trustCozeApp(app, `kid-${app}`, publicKey);
  const jwtProvider = (app: string) => ({
    name: `coze-app-${app}`,
    type: 'coze',
    base_url: mock.url,
    keys: [jwtKey(app)],
    model_map: { [`app-${app}`]: 'bot-1' },
  });
  gateway = await startGateway({
    providers: [
      {
        name: 'coze',
        type: 'coze',
        base_url: mock.url,
        keys: ['pat_good'],
        models: ['bot-1', 'bot-reasoner'],
        model_map: { 'no-such-bot': 'bot-404' },
      },
      {
        name: 'coze-bad-pat',
        type: 'coze',
        base_url: mock.url,
        keys: ['pat_revoked'],
        model_map: { 'bad-pat': 'bot-1' },
      },
      // Each on its own key: a rate limit cools its key down.
      { name: 'coze-busy1', type: 'coze', base_url: mock.url, keys: ['pat_busy1'], model_map: { busy1: 'bot-1' } },
      { name: 'coze-busy2', type: 'coze', base_url: mock.url, keys: ['pat_busy2'], model_map: { busy2: 'bot-1' } },
      jwtProvider('1001'),
      jwtProvider('1002'),
      jwtProvider('1003'),
      {
        name: 'coze-untrusted',
        type: 'coze',
        base_url: mock.url,
        keys: [jwtKey('9999')],
        model_map: { untrusted: 'bot-1' },
      },
    ],
  });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

beforeEach(() => mock.reset());
afterEach(() => setCozeTokenSeconds(3600));

const user = (content: string) => [{ role: 'user' as const, content }];
const chats = () => mock.requests.filter((r) => r.path === '/v3/chat');
const exchanges = () => mock.requests.filter((r) => r.path === '/api/permission/oauth2/token');

describe('coze with a personal access token', () => {
  test('a non-stream chat is assembled from the bot stream, with usage, the bot id and the user', async () => {
    const res = await gateway
      .openai()
      .chat.completions.create({ model: 'bot-1', messages: user('hello world'), user: 'alice', temperature: 0.3 });
    expect(res.choices[0]?.message.content).toBe('echo: hello world');
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
    const seen = chats()[0]!;
    expect(seen.headers.authorization).toBe('Bearer pat_good');
    expect(seen.body).toEqual({
      bot_id: 'bot-1',
      user_id: 'alice',
      stream: true,
      auto_save_history: false,
      additional_messages: [{ role: 'user', type: 'question', content: 'hello world', content_type: 'text' }],
    });
  });

  test('a stream carries only the answer text (not verbose or follow-up messages) and ends with usage', async () => {
    const stream = await gateway.openai().chat.completions.create({
      model: 'bot-1',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'one two three' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let total: number | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) total = chunk.usage.total_tokens;
    }
    // The system turn is folded into the user turn: Coze's additional_messages take user and assistant only.
    expect(text).toBe('echo: Be brief.\n\none two three');
    expect(finish).toBe('stop');
    expect(total).toBe(11);
    expect((chats()[0]!.body as { user_id: string }).user_id).toBe('switchyard');
  });

  test("a reasoning bot's reasoning_content reaches the client as reasoning_content", async () => {
    const res = await gateway.openai().chat.completions.create({ model: 'bot-reasoner', messages: user('why') });
    const message = res.choices[0]?.message as { content: string; reasoning_content?: string };
    expect(message.content).toBe('echo: why');
    expect(message.reasoning_content).toBe('thinking about: why');
  });

  test('an image URL goes as an object_string message', async () => {
    await gateway.openai().chat.completions.create({
      model: 'bot-1',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
          ],
        },
      ],
    });
    const message = (chats()[0]!.body as { additional_messages: { content: string; content_type: string }[] })
      .additional_messages[0]!;
    expect(message.content_type).toBe('object_string');
    expect(JSON.parse(message.content)).toEqual([
      { type: 'text', text: 'what is this' },
      { type: 'image', file_url: 'https://example.com/cat.png' },
    ]);
  });

  test('tools are refused with a 400 that names them, and nothing goes upstream', async () => {
    const err = await gateway
      .openai()
      .chat.completions.create({
        model: 'bot-1',
        messages: user('hi'),
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400 });
    expect(String((err as Error).message)).toMatch(/Tools/);
    expect(chats()).toHaveLength(0);
  });

  test('an unknown bot (HTTP 200, code 4200) is a 404 that says so', async () => {
    const err = await gateway
      .openai()
      .chat.completions.create({ model: 'no-such-bot', messages: user('hi') })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404 });
    expect(String((err as Error).message)).toMatch(/4200.*bot_id bot-404/);
  });

  test('a refused token (code 4100) is a 502 naming the upstream, not a 401 for the client', async () => {
    const err = await gateway
      .openai()
      .chat.completions.create({ model: 'bad-pat', messages: user('hi') })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502 });
    expect(String((err as Error).message)).toMatch(/coze-bad-pat.*authentication is invalid/);
  });

  test('a rate limit in an HTTP 200 body (code 4009) is a 429, in a stream request too', async () => {
    const busy = { status: 200, body: { code: 4009, msg: 'system busy, please retry later' } };
    mock.enqueue(busy);
    const plain = await gateway
      .openai()
      .chat.completions.create({ model: 'busy1', messages: user('hi') })
      .catch((e: unknown) => e);
    expect(plain).toMatchObject({ status: 429 });
    mock.enqueue(busy);
    const streamed = await gateway
      .openai()
      .chat.completions.create({ model: 'busy2', messages: user('hi'), stream: true })
      .catch((e: unknown) => e);
    expect(String((plain as Error).message)).toMatch(/4009.*system busy/);
    expect(streamed).toMatchObject({ status: 429 });
    expect(String((streamed as Error).message)).toMatch(/4009.*system busy/);
  });

  test('an error event inside a started stream ends it with an error the SDK raises', async () => {
    mock.enqueue({ errorAfterChunks: 3, errorMessage: 'model went away' });
    const stream = await gateway
      .openai()
      .chat.completions.create({ model: 'bot-1', messages: user('a b c d'), stream: true });
    const failure = await (async () => {
      for await (const _ of stream) {
        // reading until the error
      }
    })().catch((e: unknown) => e);
    expect(String((failure as Error).message)).toMatch(/5000.*model went away/);
  });
});

describe('coze with an OAuth JWT app', () => {
  test('the JWT buys a token once; later calls reuse it', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await gateway.openai().chat.completions.create({ model: 'app-1001', messages: user('hi') });
      expect(res.choices[0]?.message.content).toBe('echo: hi');
    }
    expect(exchanges()).toHaveLength(1);
    const token = chats()[0]?.headers.authorization;
    expect(token).toMatch(/^Bearer czs_mock_/);
    expect(chats()[1]?.headers.authorization).toBe(token);
    expect(JSON.stringify(mock.requests.map((r) => r.headers))).not.toContain('PRIVATE KEY');
  });

  test('a token about to expire is renewed before the next call', async () => {
    setCozeTokenSeconds(30);
    await gateway.openai().chat.completions.create({ model: 'app-1002', messages: user('hi') });
    await gateway.openai().chat.completions.create({ model: 'app-1002', messages: user('hi') });
    expect(exchanges()).toHaveLength(2);
    expect(chats().map((r) => r.status)).toEqual([200, 200]);
    expect(chats()[0]?.headers.authorization).not.toBe(chats()[1]?.headers.authorization);
  });

  test('a token upstream stops accepting (401) is replaced and the call answered', async () => {
    await gateway.openai().chat.completions.create({ model: 'app-1003', messages: user('hi') });
    revokeCozeTokens();
    const res = await gateway.openai().chat.completions.create({ model: 'app-1003', messages: user('again') });
    expect(res.choices[0]?.message.content).toBe('echo: again');
    expect(chats().map((r) => r.status)).toEqual([200, 401, 200]);
    expect(exchanges()).toHaveLength(2);
  });

  test('a JWT the token endpoint refuses is a 502 that names the app', async () => {
    const err = await gateway
      .openai()
      .chat.completions.create({ model: 'untrusted', messages: user('hi') })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502 });
    expect(String((err as Error).message)).toMatch(/refused the JWT of OAuth app 9999/);
    expect(chats()).toHaveLength(0);
  });
});
