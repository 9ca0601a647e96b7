import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { rejection } from '../../../test/provider-tests.ts';
import { type ProviderConfig, providerSchema } from '../../config/schema.ts';
import type { ChatRequest } from '../../core/types.ts';
import type { AuthSend, Target, UpstreamCall } from '../types.ts';
import { volcengineHeaders } from './auth.ts';
import { ark } from './index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const DAY = 24 * 3600 * 1000;

// Temporary keys are cached per access key and endpoint for the whole process: each test uses its own pair.
let pairs = 0;
const newPair = () => `AKLT-test-${++pairs}:secret-${pairs}`;

function target(key: string, upstreamModel = 'ep-20240612090709-hzjz5', extra: Partial<ProviderConfig> = {}): Target {
  const provider = providerSchema.parse({ name: 'huoshan', type: 'ark', keys: [key], ...extra });
  return { baseUrl: provider.base_url ?? 'https://ark.cn-beijing.volces.com/api/v3', key, upstreamModel, provider };
}

const chat: ChatRequest = {
  model: 'doubao32k',
  messages: [{ role: 'user', content: 'hi' }],
  stream: true,
  includeUsage: false,
};

function exchanges(...answers: { status: number; body: string }[]) {
  const sent: UpstreamCall[] = [];
  const send: AuthSend = async (call) => {
    sent.push(call);
    return answers.length > 1 ? answers.shift()! : answers[0]!;
  };
  return { send, sent };
}

const apiKeyAnswer = (apiKey: string, expiredTime: number) => ({
  status: 200,
  body: JSON.stringify({
    ResponseMetadata: { Action: 'GetApiKey' },
    Result: { ApiKey: apiKey, ExpiredTime: expiredTime },
  }),
});

afterEach(() => {
  vi.useRealTimers();
});

describe('volcengine signing', () => {
  test("Volcengine's worked example (IAM ListUsers at 20201230T081805Z) gives the documented signature", () => {
    expect(
      volcengineHeaders(
        {
          method: 'GET',
          url: 'https://iam.volcengineapi.com/?Action=ListUsers&Version=2018-01-01&Limit=10&Offset=0',
          contentType: 'application/x-www-form-urlencoded; charset=utf-8',
          body: '',
        },
        {
          accessKeyId: 'AKLTMjI2ODVlYzI3ZGY1NGU4ZjhjYWRjMTlmNTM5OTZkYzE',
          secretAccessKey: 'TnpCak5XWXpZV1U0WkRaaE5ERmxaR0ZpTmpjeVkyUXlZek0wTWpJMU1qWQ==',
          region: 'cn-north-1',
          service: 'iam',
        },
        new Date('2020-12-30T08:18:05Z'),
      ),
    ).toEqual({
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'x-date': '20201230T081805Z',
      'x-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      authorization:
        'HMAC-SHA256 Credential=AKLTMjI2ODVlYzI3ZGY1NGU4ZjhjYWRjMTlmNTM5OTZkYzE/20201230/cn-north-1/iam/request, SignedHeaders=content-type;host;x-content-sha256;x-date, Signature=28eeabbbd726b87002e0fe58ad8c1c768e619b06e2646f35b6ad7ed029a6d8a7',
    });
  });
});

describe('ark requests', () => {
  test('an Ark API key is the bearer token of an OpenAI-format call, and authorize leaves it be', async () => {
    const t = target('ark-api-key-1');
    const call = ark.chat.encode(chat, t);
    expect(call.url).toBe('https://ark.cn-beijing.volces.com/api/v3/chat/completions');
    expect(call.headers.authorization).toBe('Bearer ark-api-key-1');
    expect(JSON.parse(call.body ?? '{}')).toMatchObject({
      model: 'ep-20240612090709-hzjz5',
      stream: true,
      stream_options: { include_usage: true },
    });
    const { send, sent } = exchanges(apiKeyAnswer('x', 0));
    expect(await ark.authorize!(call, t, send)).toBe(call);
    expect(sent).toEqual([]);
  });

  test('an access key pair is never sent as a bearer token, in encoded or forwarded calls', () => {
    const t = target('AKLT-never-sent:never-sent-secret');
    const encoded = ark.chat.encode(chat, t);
    const forwarded = ark.passthrough!.build('chat', { model: 'doubao32k', messages: [], stream: false }, t);
    for (const call of [encoded, forwarded]) {
      expect(call.headers.authorization).toBeUndefined();
      expect(JSON.stringify(call)).not.toMatch(/never-sent/);
    }
    expect(JSON.parse(forwarded.body ?? '{}').model).toBe('ep-20240612090709-hzjz5');
  });

  test('the pair buys a temporary API key for the endpoint with one signed GetApiKey call, then reuses it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-01-08T07:23:36Z'));
    const key = newPair();
    const t = target(key);
    const { send, sent } = exchanges(apiKeyAnswer('temp-key-1', Math.floor(Date.now() / 1000) + 7 * 86400));
    const call = await ark.authorize!(ark.chat.encode(chat, t), t, send);
    expect(call.headers.authorization).toBe('Bearer temp-key-1');
    await ark.authorize!(ark.chat.encode(chat, t), t, send);
    expect(sent).toHaveLength(1);
    const exchange = sent[0]!;
    const body = '{"DurationSeconds":604800,"ResourceType":"endpoint","ResourceIds":["ep-20240612090709-hzjz5"]}';
    expect(exchange).toMatchObject({
      url: 'https://open.volcengineapi.com/?Action=GetApiKey&Version=2024-01-01',
      method: 'POST',
      body,
    });
    const [accessKeyId, secretAccessKey] = key.split(':') as [string, string];
    expect(exchange.headers).toEqual(
      volcengineHeaders(
        { method: 'POST', url: exchange.url, contentType: 'application/json; charset=utf-8', body },
        { accessKeyId, secretAccessKey, region: 'cn-beijing', service: 'ark' },
        new Date('2025-01-08T07:23:36Z'),
      ),
    );
    expect(exchange.headers).toMatchObject({
      'x-date': '20250108T072336Z',
      'x-content-sha256': createHash('sha256').update(body).digest('hex'),
      authorization: expect.stringMatching(
        new RegExp(
          `^HMAC-SHA256 Credential=${accessKeyId}/20250108/cn-beijing/ark/request, SignedHeaders=content-type;host;x-content-sha256;x-date, Signature=[0-9a-f]{64}$`,
        ),
      ),
    });
    expect(JSON.stringify(exchange)).not.toContain(secretAccessKey);
  });

  test('bots get keys of their own; the documented ExpiredTime of 0 means the requested week', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
    const key = newPair();
    const bot = target(key, 'bot-20240101-abc', { base_url: 'https://ark.cn-beijing.volces.com/api/v3/bots' });
    const { send, sent } = exchanges(
      { status: 200, body: fixture('get-api-key.response.json') },
      apiKeyAnswer('renewed', 0),
    );
    const call = await ark.authorize!(ark.chat.encode(chat, bot), bot, send);
    expect(call.url).toBe('https://ark.cn-beijing.volces.com/api/v3/bots/chat/completions');
    expect(call.headers.authorization).toBe('Bearer ***-***-***');
    expect(JSON.parse(sent[0]!.body ?? '{}')).toMatchObject({ ResourceType: 'bot', ResourceIds: ['bot-20240101-abc'] });
    vi.setSystemTime(new Date(Date.now() + 6 * DAY));
    expect((await ark.authorize!(ark.chat.encode(chat, bot), bot, send)).headers.authorization).toBe(
      'Bearer ***-***-***',
    );
    // Inside the last tenth of the week: renewed.
    vi.setSystemTime(new Date(Date.now() + 0.5 * DAY));
    expect((await ark.authorize!(ark.chat.encode(chat, bot), bot, send)).headers.authorization).toBe('Bearer renewed');
    expect(sent).toHaveLength(2);
  });

  test('a refused access key is a 401 that takes the key out; the secret is not in the message', async () => {
    const t = target('AKLTexample:refused-secret');
    const { send } = exchanges({ status: 401, body: fixture('invalid-access-key.error.json') });
    const err = await rejection(ark.authorize!(ark.chat.encode(chat, t), t, send));
    expect(err).toMatchObject({ upstreamStatus: 401, retryable: true });
    expect(err.message).toBe(
      "Upstream 'huoshan' could not get an Ark API key for its access key (InvalidAccessKey): The accesskey [AKLTexample] included in the request is invalid.",
    );
    expect(err.message).not.toContain('refused-secret');
  });

  test('throttling of the exchange cools the key down; a server error is retried elsewhere', async () => {
    const throttled = target(newPair());
    const limit = exchanges({
      status: 429,
      body: JSON.stringify({ ResponseMetadata: { Error: { Code: 'FlowLimitExceeded', Message: 'slow down' } } }),
    });
    expect(await rejection(ark.authorize!(ark.chat.encode(chat, throttled), throttled, limit.send))).toMatchObject({
      upstreamStatus: 429,
      kind: 'rate_limited',
    });
    const broken = target(newPair());
    const down = exchanges({ status: 503, body: 'unavailable' });
    expect(await rejection(ark.authorize!(ark.chat.encode(chat, broken), broken, down.send))).toMatchObject({
      upstreamStatus: 503,
      retryable: true,
    });
  });

  test('a preset model cannot be reached with an access key pair', async () => {
    const t = target(newPair(), 'doubao-seed-1-6');
    const { send, sent } = exchanges(apiKeyAnswer('x', 0));
    const err = await rejection(ark.authorize!(ark.chat.encode(chat, t), t, send));
    expect(err).toMatchObject({ status: 400, retryable: true });
    expect(err.message).toMatch(/needs an Ark API key/);
    expect(sent).toEqual([]);
  });

  test("Ark's OpenAI-style error bodies yield their message", () => {
    expect(ark.errorMessage(401, fixture('authentication.error.json'))).toMatch(
      /^The API key or AK\/SK in the request is missing or invalid/,
    );
  });
});

describe('ark validation', () => {
  const config = (extra: Record<string, unknown>) => providerSchema.parse({ name: 'huoshan', type: 'ark', ...extra });

  test('an API key serves any model; a key pair only endpoint and bot IDs, directly or through model_map', () => {
    expect(ark.validate?.(config({ keys: ['ark-key'], models: ['doubao-pro-32k'] }))).toEqual([]);
    expect(
      ark.validate?.(
        config({
          keys: ['ak:sk'],
          models: ['doubao32k', 'ep-1', 'Doubao-pro-4k', 'bot-x'],
          embedding_models: ['emb'],
          model_map: { doubao32k: 'ep-20240612090709-hzjz5', emb: 'doubao-embedding' },
        }),
      ),
    ).toEqual([
      { path: ['models', 2], message: expect.stringMatching(/^'Doubao-pro-4k' is not an endpoint \(ep-…\) or bot/) },
      { path: ['model_map', 'emb'], message: expect.stringMatching(/^'doubao-embedding' is not an endpoint/) },
    ]);
  });

  test('a half pair is a problem at its index; an enabled provider needs a key', () => {
    expect(ark.validate?.(config({ keys: ['ark-key', 'ak:'] }))).toEqual([
      { path: ['keys', 1], message: 'must be an Ark API key, or ACCESS_KEY:SECRET_KEY (the two joined by a colon)' },
    ]);
    expect(ark.validate?.(config({}))).toEqual([
      { path: ['keys'], message: 'required: an Ark API key, or ACCESS_KEY:SECRET_KEY' },
    ]);
  });
});
