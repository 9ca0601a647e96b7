/**
 * Fitten Code's dialect for the mock upstream: login (`POST /codeuser/auth/login`, accounts `USERNAME:PASSWORD` from
 * MockOptions.keys, any when unset), refresh (`POST /codeuser/auth/refresh_access_token` with the refresh token) and
 * chat (`POST /codeapi/chat_auth?apikey=USER_ID`, NDJSON `{"delta": …}` lines). Access tokens are JWTs whose `exp`
 * says when they stop working.
 *
 *   setFittenAccessSeconds(1);      // access tokens issued from now on expire after a second
 *   revokeFittenAccessTokens();     // every access token issued so far: 401 (refresh tokens still work)
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { MockAnswer, MockDialect, MockExchange } from './dialect.ts';
import { chatReply, pieces } from './wire.ts';

const accessTokens = new Map<string, { userId: string; expiresAt: number }>();
const refreshTokens = new Map<string, string>();
let seq = 0;
let accessSeconds = 3600;

export function setFittenAccessSeconds(seconds: number): void {
  accessSeconds = seconds;
}

export function revokeFittenAccessTokens(): void {
  accessTokens.clear();
}

const userIdOf = (username: string): string => `uid-${Buffer.from(username).toString('hex')}`;

function issueAccess(userId: string): string {
  const exp = Math.floor(Date.now() / 1000) + accessSeconds;
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const token = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: userId, exp, n: ++seq })}.mock-signature`;
  accessTokens.set(token, { userId, expiresAt: exp * 1000 });
  return token;
}

function login(ex: MockExchange): MockAnswer {
  const { username, password } = ex.body as { username?: unknown; password?: unknown };
  if (typeof username !== 'string' || typeof password !== 'string' || !username) {
    return { status: 422, json: { detail: 'username and password are required' } };
  }
  if (ex.keys && !ex.keys.includes(`${username}:${password}`)) {
    return { status: 401, json: { detail: 'Incorrect username or password' } };
  }
  const userId = userIdOf(username);
  const refreshToken = `refresh-${++seq}`;
  refreshTokens.set(refreshToken, userId);
  return {
    json: {
      access_token: issueAccess(userId),
      refresh_token: refreshToken,
      token_type: 'bearer',
      user_info: { user_id: userId, username },
    },
  };
}

function refresh(ex: MockExchange): MockAnswer {
  const userId = ex.key === undefined ? undefined : refreshTokens.get(ex.key);
  if (userId === undefined) return { status: 401, json: { detail: 'Invalid refresh token' } };
  return { json: { access_token: issueAccess(userId) } };
}

/** The prompt's turns back as OpenAI-like messages, for the shared reply logic. */
function replyInput(inputs: string): Record<string, unknown> {
  const messages = [...inputs.matchAll(/<\|(system|user|assistant)\|>\n([\s\S]*?)\n?<\|end\|>/g)].map((m) => ({
    role: m[1],
    content: m[2],
  }));
  return { messages };
}

function chat(ex: MockExchange): MockAnswer {
  const session = ex.key === undefined ? undefined : accessTokens.get(ex.key);
  if (!session || session.expiresAt <= Date.now()) return { status: 401, json: { detail: 'Token expired' } };
  if (ex.query.apikey !== session.userId || ex.body.ft_token !== session.userId) {
    return { status: 403, json: { detail: 'apikey and ft_token must name the logged-in user' } };
  }
  const inputs = typeof ex.body.inputs === 'string' ? ex.body.inputs : '';
  if (!inputs.startsWith('<|system|>') || !inputs.endsWith('\n<|assistant|>')) {
    return { status: 400, json: { detail: 'malformed inputs' } };
  }
  const reply = chatReply(replyInput(inputs), ex.reply === undefined ? {} : { override: ex.reply });
  const lines = pieces(reply.text, ex.chunks).map((delta) => `${JSON.stringify({ delta })}\n`);
  return { stream: lines, contentType: 'application/x-ndjson' };
}

export const fitten: MockDialect = {
  name: 'fitten',
  route(method, path) {
    if (method !== 'POST') return undefined;
    if (path === '/codeuser/auth/login') return { endpoint: 'auth' };
    if (path === '/codeuser/auth/refresh_access_token') return { endpoint: 'refresh' };
    return path === '/codeapi/chat_auth' ? { endpoint: 'chat' } : undefined;
  },
  key(headers: IncomingHttpHeaders) {
    const auth = headers.authorization;
    return auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
  },
  errorBody: (status, message) => ({ detail: message ?? `mock upstream error ${status}` }),
  streamError: (message) => `${JSON.stringify({ error: message })}\n`,
  answer(ex) {
    if (ex.route.endpoint === 'auth') return login(ex);
    if (ex.route.endpoint === 'refresh') return refresh(ex);
    return chat(ex);
  },
};
