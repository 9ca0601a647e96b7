import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { rejection } from '../../../test/provider-tests.ts';
import { type ProviderConfig, providerSchema } from '../../config/schema.ts';
import type { AuthSend, Target, UpstreamCall } from '../types.ts';
import { assertion, requireAccount, SCOPE } from './auth.ts';
import { vertex } from './index.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

/** A throwaway service account key; `email` tells keys (and their cached tokens) apart. */
const serviceAccount = (email: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    type: 'service_account',
    project_id: 'sa-project',
    private_key_id: 'kid-1',
    private_key: PEM,
    client_email: email,
    token_uri: 'https://oauth2.example.test/token',
    ...extra,
  });

function target(key: string, extra: Partial<ProviderConfig> = {}): Target {
  const provider = providerSchema.parse({ name: 'vx', type: 'vertex', keys: [key], ...extra });
  return { baseUrl: vertex.baseUrlFor!(provider)!, key, upstreamModel: 'gemini-2.5-pro', provider };
}

/** A token endpoint stand-in: records exchanges and answers with `answers` in turn. */
function tokenEndpoint(...answers: { status: number; body: string }[]) {
  const calls: UpstreamCall[] = [];
  const send: AuthSend = async (call) => {
    calls.push(call);
    return answers[Math.min(calls.length, answers.length) - 1]!;
  };
  return { calls, send };
}

const OK = { status: 200, body: fixture('token.response.json') };
const built: UpstreamCall = { url: 'https://x/y', headers: { 'content-type': 'application/json' }, body: '{}' };

describe('vertex service account login', () => {
  test('the JWT is RS256-signed by the key, for the cloud-platform scope, addressed to the token URI', () => {
    const account = requireAccount(target(serviceAccount('jwt@p.iam.gserviceaccount.com')));
    const jwt = assertion(account, 1_700_000_000);
    const [head, claims, signature] = jwt.split('.');
    const json = (part: string | undefined) => JSON.parse(Buffer.from(part!, 'base64url').toString('utf8'));
    expect(json(head)).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'kid-1' });
    expect(json(claims)).toEqual({
      iss: 'jwt@p.iam.gserviceaccount.com',
      scope: SCOPE,
      aud: 'https://oauth2.example.test/token',
      iat: 1_700_000_000,
      exp: 1_700_003_600,
    });
    expect(verify('sha256', Buffer.from(`${head}.${claims}`), publicKey, Buffer.from(signature!, 'base64url'))).toBe(
      true,
    );
  });

  test('the token is fetched with the JWT-bearer grant once, then reused, as a Bearer header', async () => {
    const t = target(serviceAccount('reuse@p.iam.gserviceaccount.com'));
    const endpoint = tokenEndpoint(OK);
    const first = await vertex.authorize!(built, t, endpoint.send);
    const second = await vertex.authorize!(built, t, endpoint.send);
    expect(first.headers).toEqual({
      'content-type': 'application/json',
      authorization: 'Bearer ya29.c.b0AXv0zTPFAKE-access-token-for-tests',
    });
    expect(second.headers).toEqual(first.headers);
    expect(endpoint.calls).toHaveLength(1);
    const exchange = endpoint.calls[0]!;
    expect(exchange.url).toBe('https://oauth2.example.test/token');
    expect(exchange.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(exchange.body);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(form.get('assertion')?.split('.')).toHaveLength(3);
  });

  test('a token upstream refused is forgotten: the next call exchanges again', async () => {
    const t = target(serviceAccount('refused@p.iam.gserviceaccount.com'));
    const endpoint = tokenEndpoint(OK, { status: 200, body: '{"access_token":"ya29.second","expires_in":3599}' });
    const first = await vertex.authorize!(built, t, endpoint.send);
    expect(vertex.unauthorized!(first, t)).toBe(true);
    const again = await vertex.authorize!(built, t, endpoint.send);
    expect(again.headers.authorization).toBe('Bearer ya29.second');
    expect(endpoint.calls).toHaveLength(2);
  });

  test("a refused key (invalid_grant) is a 401 that takes it out, with Google's reason and no secret", async () => {
    const t = target(serviceAccount('bad@p.iam.gserviceaccount.com'));
    const err = await rejection(
      vertex.authorize!(built, t, tokenEndpoint({ status: 400, body: fixture('invalid-grant.error.json') }).send),
    );
    expect(err.upstreamStatus).toBe(401);
    expect(err.message).toBe("Upstream 'vx' refused its service account key: Invalid JWT Signature.");
    expect(err.message).not.toContain('PRIVATE KEY');
  });

  test('a failing token endpoint is retryable without blaming the key', async () => {
    const t = target(serviceAccount('down@p.iam.gserviceaccount.com'));
    const err = await rejection(vertex.authorize!(built, t, tokenEndpoint({ status: 503, body: 'unavailable' }).send));
    expect(err.retryable).toBe(true);
    expect(err.upstreamStatus).toBe(503);
  });

  test('validate reports keys that are not service account keys, and a missing project, by path', () => {
    const config = (keys: string[], extra: Record<string, unknown> = {}) =>
      providerSchema.parse({ name: 'vx', type: 'vertex', keys, ...extra });
    expect(vertex.validate!(config([serviceAccount('ok@p.iam.gserviceaccount.com')]))).toEqual([]);
    expect(vertex.validate!(config([]))).toEqual([{ path: ['keys'], message: expect.stringContaining('required') }]);
    const problems = vertex.validate!(
      config([
        'AIzaSy-not-json',
        serviceAccount('a@p.iam.gserviceaccount.com', { private_key: 'nope' }),
        JSON.stringify({ type: 'authorized_user', client_id: 'x' }),
        serviceAccount('b@p.iam.gserviceaccount.com', { project_id: undefined }),
      ]),
    );
    expect(problems.map((p) => p.path)).toEqual([['keys', 0], ['keys', 1], ['keys', 2], ['project']]);
    expect(problems.map((p) => p.message).join(' ')).not.toContain('AIzaSy-not-json');
    expect(
      vertex.validate!(
        config([serviceAccount('c@p.iam.gserviceaccount.com', { project_id: undefined })], { project: 'p1' }),
      ),
    ).toEqual([]);
  });

  test('a key may be the path of the JSON key file, as simple-one-api configs name it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vertex-key-'));
    const file = join(dir, 'sa.json');
    writeFileSync(file, serviceAccount('file@p.iam.gserviceaccount.com'));
    const config = (key: string) => providerSchema.parse({ name: 'vx', type: 'vertex', keys: [key] });
    expect(vertex.validate!(config(file))).toEqual([]);
    expect(requireAccount(target(file)).clientEmail).toBe('file@p.iam.gserviceaccount.com');
    expect(vertex.validate!(config(join(dir, 'missing.json')))).toEqual([
      { path: ['keys', 0], message: expect.stringContaining('nor a readable key file (ENOENT)') },
    ]);
  });

  test('a deployment whose key is malformed fails as an upstream 401 (its key is taken out)', async () => {
    const err = await rejection(vertex.authorize!(built, target('not a key'), tokenEndpoint(OK).send));
    expect(err.upstreamStatus).toBe(401);
  });
});
