import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { rejection } from '../../../test/provider-tests.ts';
import { providerSchema } from '../../config/schema.ts';
import { UpstreamError } from '../../core/errors.ts';
import type { AuthSend, Target, UpstreamCall } from '../types.ts';
import { keyPair, TokenCache } from './auth.ts';
import { qianfan } from './index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const DOCUMENTED_TOKEN = '24.6c5e1ff107f0e8bcef8c46d3424a0e78.2592000.1485516651.282335-8574074';
const DAY = 24 * 3600 * 1000;

// Tokens are cached per key for the whole process: each test uses keys of its own.
let keys = 0;
function target(key = `api-key-${++keys}:secret-key-${keys}`): Target {
  const provider = providerSchema.parse({ name: 'baidu', type: 'qianfan', keys: [key] });
  return { baseUrl: 'https://aip.baidubce.com', key, upstreamModel: 'ERNIE-Speed-8K', provider };
}

/** A fake upstream for token exchanges: answers in order (the last one repeats), records what it was sent. */
function exchanges(...answers: { status: number; body: string }[]) {
  const sent: UpstreamCall[] = [];
  const send: AuthSend = async (call) => {
    sent.push(call);
    return answers.length > 1 ? answers.shift()! : answers[0]!;
  };
  return { send, sent };
}

const token = (accessToken: string, expiresIn = 2592000) => ({
  status: 200,
  body: JSON.stringify({ access_token: accessToken, expires_in: expiresIn }),
});

const chatCall = (t: Target): UpstreamCall =>
  qianfan.chat.encode(
    { model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: false, includeUsage: false },
    t,
  );

afterEach(() => {
  vi.useRealTimers();
});

describe('qianfan access tokens', () => {
  test('the key pair buys a token through the documented OAuth call; the chat call carries it in its query', async () => {
    const t = target('my-api-key:my-secret-key');
    const { send, sent } = exchanges({ status: 200, body: fixture('oauth-token.response.json') });
    const call = await qianfan.authorize!(chatCall(t), t, send);
    expect(sent).toEqual([
      {
        url: 'https://aip.baidubce.com/oauth/2.0/token',
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=my-api-key&client_secret=my-secret-key',
      },
    ]);
    expect(call.url).toBe(
      `https://aip.baidubce.com/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/ernie_speed?access_token=${DOCUMENTED_TOKEN}`,
    );
    expect(call.body).toBe(chatCall(t).body);
  });

  test('the token is reused for the same key, and concurrent first calls share one exchange', async () => {
    const t = target();
    const { send, sent } = exchanges(token('tok-a'));
    const calls = await Promise.all([1, 2, 3].map(() => qianfan.authorize!(chatCall(t), t, send)));
    await qianfan.authorize!(chatCall(t), t, send);
    expect(sent).toHaveLength(1);
    expect(calls.map((c) => c.url.split('access_token=')[1])).toEqual(['tok-a', 'tok-a', 'tok-a']);
  });

  test('each key pair has a token of its own', async () => {
    const [a, b] = [target(), target()];
    const { send, sent } = exchanges(token('tok-1'), token('tok-2'));
    expect((await qianfan.authorize!(chatCall(a), a, send)).url).toMatch(/access_token=tok-1$/);
    expect((await qianfan.authorize!(chatCall(b), b, send)).url).toMatch(/access_token=tok-2$/);
    expect((await qianfan.authorize!(chatCall(a), a, send)).url).toMatch(/access_token=tok-1$/);
    expect(sent.map((call) => new URLSearchParams(call.body).get('client_id'))).toEqual([
      keyPair(a.key)!.id,
      keyPair(b.key)!.id,
    ]);
  });

  test('a token is renewed in the last tenth of its life; a failed renewal keeps it until it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
    const t = target();
    const { send, sent } = exchanges(
      token('first'),
      { status: 500, body: 'oops' },
      { status: 500, body: 'oops' },
      token('second'),
    );
    expect((await qianfan.authorize!(chatCall(t), t, send)).url).toMatch(/=first$/);
    vi.setSystemTime(new Date(Date.now() + 26 * DAY));
    expect((await qianfan.authorize!(chatCall(t), t, send)).url).toMatch(/=first$/);
    expect(sent).toHaveLength(1);
    // Day 28 of 30: inside the last tenth. The renewal fails, the old token still serves.
    vi.setSystemTime(new Date(Date.now() + 2 * DAY));
    expect((await qianfan.authorize!(chatCall(t), t, send)).url).toMatch(/=first$/);
    expect(sent).toHaveLength(2);
    // Expired: a failed exchange is now the request's failure.
    vi.setSystemTime(new Date(Date.now() + 3 * DAY));
    const err = await rejection(qianfan.authorize!(chatCall(t), t, send));
    expect(err.retryable).toBe(true);
    expect(err.upstreamStatus).toBe(500);
    expect((await qianfan.authorize!(chatCall(t), t, send)).url).toMatch(/=second$/);
  });

  test('a refused pair (invalid_client) is a 401 that takes the key out, and the secret is not in the message', async () => {
    const t = target('wrong-api-key:very-secret-value');
    const { send } = exchanges({ status: 401, body: fixture('oauth-unknown-client.error.json') });
    const err = await rejection(qianfan.authorize!(chatCall(t), t, send));
    expect(err).toMatchObject({ upstreamStatus: 401, retryable: true, status: 502 });
    expect(err.message).toBe("Upstream 'baidu' refused its API key and secret key: unknown client id");
    expect(err.message).not.toContain('very-secret-value');
  });

  test('Qianfan saying the token is invalid or expired makes the next call fetch a new one', async () => {
    const t = target();
    const { send, sent } = exchanges(token('stale'), token('fresh'));
    await qianfan.authorize!(chatCall(t), t, send);
    const err = (() => {
      try {
        qianfan.chat.decode(fixture('token-expired.error.json'), t);
      } catch (e) {
        return e as UpstreamError;
      }
      throw new Error('expected a throw');
    })();
    // Not the key's fault: another deployment may answer, and the key stays in.
    expect(err).toMatchObject({ retryable: true, upstreamStatus: null });
    expect((await qianfan.authorize!(chatCall(t), t, send)).url).toMatch(/=fresh$/);
    expect(sent).toHaveLength(2);
  });

  test('a key without the colon is refused before anything is sent', async () => {
    const t = target('no-colon-here');
    const { send, sent } = exchanges(token('x'));
    expect(await rejection(qianfan.authorize!(chatCall(t), t, send))).toMatchObject({ upstreamStatus: 401 });
    expect(sent).toEqual([]);
  });
});

describe('token cache', () => {
  test('a waiter whose shared exchange failed (e.g. its initiator was cancelled) tries once itself', async () => {
    const cache = new TokenCache();
    let calls = 0;
    const issue = async () => {
      calls++;
      if (calls === 1) throw new UpstreamError('The request was cancelled.', { retryable: false, status: 499 });
      return { token: 'ok', expiresAt: Date.now() + DAY };
    };
    const [first, second] = await Promise.allSettled([cache.get('k', issue), cache.get('k', issue)]);
    expect(first.status).toBe('rejected');
    expect(second).toEqual({ status: 'fulfilled', value: 'ok' });
    expect(calls).toBe(2);
  });

  test('forget drops only the token it names', async () => {
    const cache = new TokenCache();
    let n = 0;
    const issue = async () => ({ token: `t${++n}`, expiresAt: Date.now() + DAY });
    expect(await cache.get('k', issue)).toBe('t1');
    cache.forget('k', 'someone-else');
    expect(await cache.get('k', issue)).toBe('t1');
    cache.forget('k', 't1');
    expect(await cache.get('k', issue)).toBe('t2');
  });
});
