import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { rejection } from '../../../test/provider-tests.ts';
import { providerSchema } from '../../config/schema.ts';
import type { AuthSend, Target, UpstreamCall } from '../types.ts';
import { parseJwtKey, signJwt } from './auth.ts';
import { coze } from './index.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const escaped = pem.replaceAll('\n', '\\n');

// Tokens are cached per key for the whole process: each test uses an app id of its own.
let apps = 0;
function target(key = `jwt:${++apps}:kid-1:${escaped}`): Target {
  const provider = providerSchema.parse({ name: 'bots', type: 'coze', keys: [key] });
  return { baseUrl: 'https://api.coze.cn', key, upstreamModel: 'bot', provider };
}

function exchanges(...answers: { status: number; body: string }[]) {
  const sent: UpstreamCall[] = [];
  const send: AuthSend = async (call) => {
    sent.push(call);
    return answers.length > 1 ? answers.shift()! : answers[0]!;
  };
  return { send, sent };
}

const tokenAnswer = (token: string, expiresIn = Math.floor(Date.now() / 1000) + 3600) => ({
  status: 200,
  body: JSON.stringify({ access_token: token, expires_in: expiresIn, token_type: 'Bearer' }),
});

const chatCall = (t: Target): UpstreamCall =>
  coze.chat.encode({ model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: false, includeUsage: false }, t);

const part = (jwt: string, i: number) => JSON.parse(Buffer.from(jwt.split('.')[i]!, 'base64url').toString('utf8'));

describe('coze keys', () => {
  test('a JWT key takes the PEM with \\n escapes, with real newlines, or in base64', () => {
    for (const form of [escaped, pem, Buffer.from(pem).toString('base64')]) {
      expect(parseJwtKey(`jwt:7:kid:${form}`)).toMatchObject({ appId: '7', keyId: 'kid' });
    }
  });

  test('malformed JWT keys are problems at their path; personal tokens pass as they are', () => {
    const config = providerSchema.parse({
      name: 'bots',
      type: 'coze',
      keys: ['pat_ok', 'jwt:1:kid', `jwt:1:kid:not-a-key`, `jwt::kid:${escaped}`],
    });
    expect(coze.validate!(config)).toEqual([
      { path: ['keys', 1], message: 'must be jwt:APP_ID:KEY_ID:PRIVATE_KEY' },
      { path: ['keys', 2], message: 'jwt:APP_ID:KEY_ID:PRIVATE_KEY: PRIVATE_KEY is not a PEM or base64 private key' },
      { path: ['keys', 3], message: 'must be jwt:APP_ID:KEY_ID:PRIVATE_KEY' },
    ]);
  });

  test('the JWT is RS256 with the key id, issued by the app for the API host, with a jti', () => {
    const app = parseJwtKey(`jwt:1133:kid-9:${escaped}`);
    if (typeof app === 'string') throw new Error(app);
    const jwt = signJwt(app, 'api.coze.cn', 1_700_000_000);
    expect(part(jwt, 0)).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'kid-9' });
    expect(part(jwt, 1)).toMatchObject({ iss: '1133', aud: 'api.coze.cn', iat: 1_700_000_000, exp: 1_700_000_600 });
    expect(typeof part(jwt, 1).jti).toBe('string');
    const [head, claims, signature] = jwt.split('.');
    expect(verify('sha256', Buffer.from(`${head}.${claims}`), publicKey, Buffer.from(signature!, 'base64url'))).toBe(
      true,
    );
  });
});

describe('coze OAuth tokens', () => {
  test('the JWT buys a token at /api/permission/oauth2/token, reused until it nears expiry', async () => {
    const t = target();
    const { send, sent } = exchanges(tokenAnswer('czs_1'));
    const first = await coze.authorize!(chatCall(t), t, send);
    const second = await coze.authorize!(chatCall(t), t, send);
    expect(first.headers.authorization).toBe('Bearer czs_1');
    expect(second.headers.authorization).toBe('Bearer czs_1');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe('https://api.coze.cn/api/permission/oauth2/token');
    expect(JSON.parse(sent[0]!.body!)).toEqual({
      duration_seconds: 3600,
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    });
    expect(part(sent[0]!.headers.authorization!.slice(7), 1).aud).toBe('api.coze.cn');
  });

  test('a token near its expires_in (a Unix time) is renewed; after a 401 it is forgotten', async () => {
    const t = target();
    const soon = Math.floor(Date.now() / 1000) + 30;
    const { send, sent } = exchanges(tokenAnswer('czs_a', soon), tokenAnswer('czs_b'), tokenAnswer('czs_c'));
    await coze.authorize!(chatCall(t), t, send);
    const renewed = await coze.authorize!(chatCall(t), t, send);
    expect(renewed.headers.authorization).toBe('Bearer czs_b');
    expect(coze.unauthorized!(renewed, t)).toBe(true);
    expect((await coze.authorize!(chatCall(t), t, send)).headers.authorization).toBe('Bearer czs_c');
    expect(sent).toHaveLength(3);
  });

  test('a refused JWT takes the key out (401) and names the app, never the key', async () => {
    const t = target();
    const { send } = exchanges({ status: 401, body: '{"error_code":"invalid_client","error_message":"jwt invalid"}' });
    const err = await rejection(coze.authorize!(chatCall(t), t, send));
    expect(err).toMatchObject({ upstreamStatus: 401, retryable: true });
    expect(err.message).toBe(`Upstream 'bots' refused the JWT of OAuth app ${apps}: jwt invalid`);
  });

  test('a personal access token needs no exchange and no retry after a 401', async () => {
    const t = target('pat_abc');
    const { send, sent } = exchanges(tokenAnswer('unused'));
    const call = chatCall(t);
    expect(await coze.authorize!(call, t, send)).toBe(call);
    expect(coze.unauthorized!(call, t)).toBe(false);
    expect(sent).toHaveLength(0);
  });
});
