import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { rejection } from '../../../test/provider-tests.ts';
import { providerSchema } from '../../config/schema.ts';
import type { AuthSend, Target, UpstreamCall } from '../types.ts';
import { expiryOf } from './auth.ts';
import { fitten } from './index.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

// Sessions are cached per key for the whole process: each test uses a user of its own.
let users = 0;
function target(key = `user${++users}:pw`): Target {
  const provider = providerSchema.parse({ name: 'fitten', type: 'fitten', keys: [key] });
  return { baseUrl: 'https://fc.fittentech.com', key, upstreamModel: 'fitten-code', provider };
}

const jwt = (exp: number) => `e30.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.sig`;
const later = () => Math.floor(Date.now() / 1000) + 3600;
const soon = () => Math.floor(Date.now() / 1000) + 30;

function upstream(...answers: { status: number; body: unknown }[]) {
  const sent: UpstreamCall[] = [];
  const send: AuthSend = async (call) => {
    sent.push(call);
    const next = answers.length > 1 ? answers.shift()! : answers[0]!;
    return { status: next.status, body: JSON.stringify(next.body) };
  };
  return { send, sent };
}

const loginAnswer = (access: string) => ({
  status: 200,
  body: { access_token: access, refresh_token: 'r1', user_info: { user_id: 'U1' } },
});

const chatCall = (t: Target): UpstreamCall =>
  fitten.chat.encode(
    { model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: false, includeUsage: false },
    t,
  );

describe('fitten login', () => {
  test('the JWT exp of an access token says when it expires', () => {
    const { access_token } = JSON.parse(fixture('login.response.json'));
    expect(expiryOf(access_token)).toBe(Date.UTC(2025, 0, 1));
    expect(expiryOf('opaque', 1000)).toBe(1000 + 3600_000);
  });

  test('a login gives the token and the user id the chat call names in its URL and body', async () => {
    const t = target();
    const access = jwt(later());
    const { send, sent } = upstream(loginAnswer(access));
    const call = await fitten.authorize!(chatCall(t), t, send);
    expect(sent[0]?.url).toBe('https://fc.fittentech.com/codeuser/auth/login');
    expect(JSON.parse(sent[0]!.body!)).toEqual({ username: `user${users}`, password: 'pw' });
    expect(call.url).toBe('https://fc.fittentech.com/codeapi/chat_auth?apikey=U1');
    expect(call.headers.authorization).toBe(
      `Bearer ${jwt(later()).slice(0, 4)}${call.headers.authorization!.slice(11)}`,
    );
    expect(JSON.parse(call.body!)).toMatchObject({ ft_token: 'U1', inputs: expect.stringContaining('<|user|>\nhi') });
    await fitten.authorize!(chatCall(t), t, send);
    expect(sent).toHaveLength(1);
  });

  test('an expiring token is refreshed with the refresh token; a refused refresh logs in again', async () => {
    const t = target();
    const renewed = jwt(soon() + 1);
    const { send, sent } = upstream(
      loginAnswer(jwt(soon())),
      { status: 200, body: { access_token: renewed } },
      { status: 401, body: { detail: 'Invalid refresh token' } },
      loginAnswer(jwt(later())),
    );
    await fitten.authorize!(chatCall(t), t, send);
    const refreshed = await fitten.authorize!(chatCall(t), t, send);
    expect(sent[1]?.url).toBe('https://fc.fittentech.com/codeuser/auth/refresh_access_token');
    expect(sent[1]?.headers.authorization).toBe('Bearer r1');
    expect(refreshed.headers.authorization).toBe(`Bearer ${renewed}`);
    await fitten.authorize!(chatCall(t), t, send);
    expect(sent.map((c) => c.url.split('/').at(-1))).toEqual([
      'login',
      'refresh_access_token',
      'refresh_access_token',
      'login',
    ]);
  });

  test('after a 401 the token is forgotten and the next call refreshes it', async () => {
    const t = target();
    const fresh = jwt(later() + 1);
    const { send, sent } = upstream(loginAnswer(jwt(later())), { status: 200, body: { access_token: fresh } });
    const first = await fitten.authorize!(chatCall(t), t, send);
    expect(fitten.unauthorized!(first, t)).toBe(true);
    const second = await fitten.authorize!(chatCall(t), t, send);
    expect(second.headers.authorization).toBe(`Bearer ${fresh}`);
    expect(sent).toHaveLength(2);
  });

  test('a refused login takes the key out (401) and never shows the password', async () => {
    const t = target('someone:hunter2');
    const { send } = upstream({ status: 401, body: { detail: 'Incorrect username or password' } });
    const err = await rejection(fitten.authorize!(chatCall(t), t, send));
    expect(err).toMatchObject({ upstreamStatus: 401, retryable: true });
    expect(err.message).toBe("Upstream 'fitten' refused the login of someone: Incorrect username or password");
  });

  test('keys must be USERNAME:PASSWORD', () => {
    const config = providerSchema.parse({ name: 'f', type: 'fitten', keys: ['nocolon'] });
    expect(fitten.validate!(config)).toEqual([
      { path: ['keys', 0], message: 'must be USERNAME:PASSWORD (the two joined by a colon)' },
    ]);
  });
});
