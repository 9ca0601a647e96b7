/**
 * Fitten Code's login, as fitten-code-api does it: the key `USERNAME:PASSWORD` logs in at /codeuser/auth/login for an
 * access token, a refresh token and the user id every chat call names. The access token is cached per key, renewed
 * with the refresh token before it expires (its JWT `exp`) or after a 401, and a new login follows when the refresh
 * token is refused. Concurrent requests share one login.
 */
import { UpstreamError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import { type IssuedToken, type KeyPair, requirePair, TokenCache } from '../qianfan/auth.ts';
import type { AuthSend, Target, UpstreamCall } from '../types.ts';

export const KEY_FORM = 'USERNAME:PASSWORD';
/** Assumed when an access token is not a JWT that says when it expires. */
const DEFAULT_TOKEN_MS = 3600_000;

interface TokenAnswer {
  access_token?: unknown;
  refresh_token?: unknown;
  user_info?: { user_id?: unknown } | null;
  detail?: unknown;
  message?: unknown;
  msg?: unknown;
}

const refreshTokens = new Map<string, { userId: string; refreshToken: string }>();
/** Cached per key as `USER_ID\nACCESS_TOKEN`: a chat call needs both. */
const tokens = new TokenCache();

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value : typeof value === 'number' ? String(value) : undefined;

/** When a JWT access token expires (its `exp`), else an hour from now. */
export function expiryOf(token: string, now = Date.now()): number {
  const claims = token.split('.')[1];
  if (claims !== undefined) {
    try {
      const exp = (JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
      if (typeof exp === 'number' && exp > 0) return exp * 1000;
    } catch {
      // not a JWT
    }
  }
  return now + DEFAULT_TOKEN_MS;
}

function parseAnswer(body: string): TokenAnswer {
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as TokenAnswer) : {};
  } catch {
    return {};
  }
}

const reason = (answer: TokenAnswer, status: number): string =>
  redactSecrets(text(answer.detail) ?? text(answer.message) ?? text(answer.msg) ?? `HTTP ${status}`);

async function login(target: Target, pair: KeyPair, send: AuthSend): Promise<IssuedToken> {
  const res = await send({
    url: `${target.baseUrl}/codeuser/auth/login`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: pair.id, password: pair.secret }),
  });
  const answer = parseAnswer(res.body);
  const access = text(answer.access_token);
  const userId = text(answer.user_info?.user_id);
  if (access && userId && res.status < 400) {
    const refreshToken = text(answer.refresh_token);
    if (refreshToken) refreshTokens.set(target.key!, { userId, refreshToken });
    return { token: `${userId}\n${access}`, expiresAt: expiryOf(access) };
  }
  const name = target.provider.name;
  if (res.status < 500) {
    throw new UpstreamError(`Upstream '${name}' refused the login of ${pair.id}: ${reason(answer, res.status)}`, {
      upstreamStatus: 401,
      retryable: true,
    });
  }
  throw new UpstreamError(`Upstream '${name}' could not log in: ${reason(answer, res.status)}`, {
    upstreamStatus: res.status,
    retryable: true,
  });
}

/** A new access token from the refresh token; undefined when it is refused (a login follows). */
async function refresh(target: Target, send: AuthSend): Promise<IssuedToken | undefined> {
  const session = refreshTokens.get(target.key!);
  if (!session) return undefined;
  const res = await send({
    url: `${target.baseUrl}/codeuser/auth/refresh_access_token`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session.refreshToken}` },
  });
  const answer = parseAnswer(res.body);
  const access = text(answer.access_token);
  if (access && res.status < 400) {
    const rotated = text(answer.refresh_token);
    if (rotated) refreshTokens.set(target.key!, { ...session, refreshToken: rotated });
    return { token: `${session.userId}\n${access}`, expiresAt: expiryOf(access) };
  }
  if (res.status >= 500) {
    throw new UpstreamError(
      `Upstream '${target.provider.name}' could not refresh its token: ${reason(answer, res.status)}`,
      {
        upstreamStatus: res.status,
        retryable: true,
      },
    );
  }
  refreshTokens.delete(target.key!);
  return undefined;
}

/** Names the user and carries the access token: `?apikey=USER_ID`, `ft_token` in the body, a bearer token. */
export async function authorize(call: UpstreamCall, target: Target, send: AuthSend): Promise<UpstreamCall> {
  const pair = requirePair(target, KEY_FORM);
  const cached = await tokens.get(target.key!, async () => (await refresh(target, send)) ?? login(target, pair, send));
  const newline = cached.indexOf('\n');
  const userId = cached.slice(0, newline);
  const separator = call.url.includes('?') ? '&' : '?';
  // encodeChat's body is a JSON object: the user id goes in front without parsing it again.
  const body = call.body?.startsWith('{') ? `{"ft_token":${JSON.stringify(userId)},${call.body.slice(1)}` : call.body;
  return {
    ...call,
    url: `${call.url}${separator}apikey=${encodeURIComponent(userId)}`,
    headers: { ...call.headers, authorization: `Bearer ${cached.slice(newline + 1)}` },
    ...(body === undefined ? {} : { body }),
  };
}

/** Upstream refused the access token this call carried: the next call refreshes it (a newer one survives). */
export function unauthorized(call: UpstreamCall, target: Target): boolean {
  if (target.key === undefined) return false;
  const userId = new URL(call.url).searchParams.get('apikey') ?? '';
  const access = call.headers.authorization?.slice('Bearer '.length) ?? '';
  tokens.forget(target.key, `${userId}\n${access}`);
  return true;
}
