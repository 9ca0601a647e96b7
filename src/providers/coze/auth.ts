/**
 * Coze credentials: a personal (or service) access token goes as the bearer token as it is; an OAuth JWT app's key,
 * `jwt:APP_ID:KEY_ID:PRIVATE_KEY`, signs a short JWT (RS256) that buys an access token at
 * `/api/permission/oauth2/token`, cached per key and renewed before it expires or after upstream refuses it.
 * PRIVATE_KEY is the app's PEM private key (real newlines or `\n` escapes, as env variables carry it) or that PEM,
 * or its PKCS#8 DER, in base64.
 */
import { createPrivateKey, type KeyObject, randomUUID, sign } from 'node:crypto';
import type { ProviderConfig } from '../../config/schema.ts';
import { UpstreamError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import { type IssuedToken, TokenCache } from '../qianfan/auth.ts';
import type { AuthSend, Target, UpstreamCall } from '../types.ts';

export const JWT_KEY_FORM = 'jwt:APP_ID:KEY_ID:PRIVATE_KEY';
const JWT_PREFIX = 'jwt:';
/** How long the bought access token lives (Coze allows up to a day; it defaults to 15 minutes). */
const TOKEN_SECONDS = 3600;
/** The signed JWT only has to live through the exchange. */
const JWT_SECONDS = 600;

export const isJwtKey = (key: string): boolean => key.startsWith(JWT_PREFIX);

export interface JwtApp {
  appId: string;
  keyId: string;
  privateKey: KeyObject;
}

const PEM_BEGIN = '-----BEGIN';

function privateKeyOf(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.includes(PEM_BEGIN)) return createPrivateKey(trimmed.replaceAll('\\n', '\n'));
  const bytes = Buffer.from(trimmed, 'base64');
  const decoded = bytes.toString('utf8');
  if (decoded.includes(PEM_BEGIN)) return createPrivateKey(decoded);
  return createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
}

/** The parts of a `jwt:` key, or why it is malformed (the message never repeats the key). */
export function parseJwtKey(key: string): JwtApp | string {
  const parts = key.slice(JWT_PREFIX.length).split(':');
  const [appId, keyId] = parts;
  const pem = parts.slice(2).join(':');
  if (!appId || !keyId || !pem) return `must be ${JWT_KEY_FORM}`;
  let privateKey: KeyObject;
  try {
    privateKey = privateKeyOf(pem);
  } catch {
    return `${JWT_KEY_FORM}: PRIVATE_KEY is not a PEM or base64 private key`;
  }
  if (privateKey.asymmetricKeyType !== 'rsa') return `${JWT_KEY_FORM}: PRIVATE_KEY must be an RSA key (RS256)`;
  return { appId, keyId, privateKey };
}

export function keyProblems(config: ProviderConfig): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  if (config.enabled && config.keys.length === 0) {
    problems.push({ path: ['keys'], message: `required: a personal access token (pat_…) or ${JWT_KEY_FORM}` });
  }
  config.keys.forEach((key, index) => {
    if (!isJwtKey(key)) return;
    const parsed = parseJwtKey(key);
    if (typeof parsed === 'string') problems.push({ path: ['keys', index], message: parsed });
  });
  return problems;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** The JWT Coze's token endpoint takes: issued by the app, for the API host (`api.coze.com`, `api.coze.cn`). */
export function signJwt(app: JwtApp, audience: string, now = Math.floor(Date.now() / 1000)): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: app.keyId }));
  const claims = base64url(
    JSON.stringify({ iss: app.appId, aud: audience, iat: now, exp: now + JWT_SECONDS, jti: randomUUID() }),
  );
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), app.privateKey);
  return `${header}.${claims}.${base64url(signature)}`;
}

interface TokenAnswer {
  access_token?: unknown;
  expires_in?: unknown;
  error_code?: unknown;
  error_message?: unknown;
  code?: unknown;
  msg?: unknown;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value : undefined);

/** Coze gives `expires_in` as the Unix time the token expires; a small number is read as seconds from now. */
function expiryOf(expiresIn: unknown): number {
  if (typeof expiresIn !== 'number' || expiresIn <= 0) return Date.now() + TOKEN_SECONDS * 1000;
  return expiresIn > 1_000_000_000 ? expiresIn * 1000 : Date.now() + expiresIn * 1000;
}

async function issueToken(target: Target, app: JwtApp, send: AuthSend): Promise<IssuedToken> {
  const res = await send({
    url: `${target.baseUrl}/api/permission/oauth2/token`,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${signJwt(app, new URL(target.baseUrl).host)}`,
    },
    body: JSON.stringify({
      duration_seconds: TOKEN_SECONDS,
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    }),
  });
  let answer: TokenAnswer = {};
  try {
    answer = JSON.parse(res.body) as TokenAnswer;
  } catch {
    // not JSON: reported by status below
  }
  const token = text(answer.access_token);
  if (token && res.status < 400) return { token, expiresAt: expiryOf(answer.expires_in) };
  const why = redactSecrets(
    text(answer.error_message) ?? text(answer.msg) ?? text(answer.error_code) ?? `HTTP ${res.status}`,
  );
  const name = target.provider.name;
  // A refused JWT (unknown app or key id, bad signature): the key itself is wrong and is taken out.
  if (answer.error_code !== undefined || (res.status >= 400 && res.status < 500) || typeof answer.code === 'number') {
    throw new UpstreamError(`Upstream '${name}' refused the JWT of OAuth app ${app.appId}: ${why}`, {
      upstreamStatus: 401,
      retryable: true,
    });
  }
  throw new UpstreamError(`Upstream '${name}' gave no access token: ${why}`, {
    upstreamStatus: res.status >= 500 ? res.status : null,
    retryable: true,
  });
}

const tokens = new TokenCache();
const cacheKey = (target: Target): string => `${target.baseUrl}\n${target.key ?? ''}`;

/** Puts a JWT app's access token on the call; a personal access token is already there. */
export async function authorize(call: UpstreamCall, target: Target, send: AuthSend): Promise<UpstreamCall> {
  const key = target.key;
  if (key === undefined || !isJwtKey(key)) return call;
  const app = parseJwtKey(key);
  if (typeof app === 'string') {
    throw new UpstreamError(`Provider '${target.provider.name}' has a key that is not in ${JWT_KEY_FORM} form.`, {
      upstreamStatus: 401,
      retryable: true,
    });
  }
  const token = await tokens.get(cacheKey(target), () => issueToken(target, app, send));
  return { ...call, headers: { ...call.headers, authorization: `Bearer ${token}` } };
}

/** Upstream refused a bought token: forget it (a newer one survives) so the next call buys another. */
export function forgetToken(target: Target, call?: UpstreamCall): boolean {
  if (target.key === undefined || !isJwtKey(target.key)) return false;
  const sent = call?.headers.authorization?.slice('Bearer '.length);
  tokens.forget(cacheKey(target), sent);
  return true;
}
