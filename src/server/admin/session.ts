/**
 * Who calls the admin API: a signed session cookie (the web UI) or a user's admin access token as a bearer
 * (scripts). Sessions are stateless (HMAC-signed with the gateway secret) so any instance can check them; bumping a
 * user's `session_epoch` ends all of that user's sessions.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Gateway } from '../../gateway.ts';
import type { Role, UserRow } from '../../store/schema.ts';
import { tokenHash } from '../../store/tokens.ts';
import { findUser } from '../../store/users.ts';

export const SESSION_COOKIE = 'switchyard_session';
const SESSION_TTL_MS = 7 * 24 * 3600_000;

export interface Principal {
  userId: number;
  username: string;
  role: Role;
  group: string;
  via: 'session' | 'access_token';
  /** The user must change their password before the admin API serves them anything else. */
  mustChangePassword: boolean;
}

interface SessionPayload {
  u: number;
  e: number;
  x: number;
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeCookieValue(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** A cookie value percent-decoded; one that does not decode (`%E0%A4%A`) is no session at all, not a 500. */
function decodeCookieValue(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function principal(user: UserRow, via: Principal['via']): Principal | undefined {
  if (user.status !== 'enabled') return undefined;
  return {
    userId: user.id,
    username: user.username,
    role: user.role,
    group: user.group_name,
    via,
    mustChangePassword: user.must_change_password === 1,
  };
}

/** The caller of an admin route, or undefined when it presents no valid session or access token. */
export async function principalOf(gw: Gateway, request: FastifyRequest): Promise<Principal | undefined> {
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
  if (bearer) {
    const user = await gw.store.db
      .selectFrom('users')
      .selectAll()
      .where('access_token_hash', '=', tokenHash(bearer))
      .executeTakeFirst();
    return user ? principal(user, 'access_token') : undefined;
  }
  const signed = cookie(request, SESSION_COOKIE);
  const payload = signed ? gw.secret.verify(signed) : undefined;
  if (!payload) return undefined;
  const session = JSON.parse(payload) as SessionPayload;
  if (session.x < Date.now()) return undefined;
  const user = await findUser(gw.store, session.u);
  return user && user.session_epoch === session.e ? principal(user, 'session') : undefined;
}

/** Behind TLS (directly or per the proxy's `X-Forwarded-Proto`) the cookie is marked Secure. */
function secureRequest(request: FastifyRequest): boolean {
  return request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
}

/** Starts a session for the user: an httpOnly, SameSite=Strict cookie, Secure behind TLS. */
export function startSession(gw: Gateway, request: FastifyRequest, reply: FastifyReply, user: UserRow): void {
  const payload: SessionPayload = { u: user.id, e: user.session_epoch, x: Date.now() + SESSION_TTL_MS };
  const value = encodeURIComponent(gw.secret.sign(JSON.stringify(payload)));
  const attributes = `Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}`;
  reply.header('set-cookie', `${SESSION_COOKIE}=${value}; ${attributes}${secureRequest(request) ? '; Secure' : ''}`);
}

export function endSession(request: FastifyRequest, reply: FastifyReply): void {
  const attributes = `Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  reply.header('set-cookie', `${SESSION_COOKIE}=; ${attributes}${secureRequest(request) ? '; Secure' : ''}`);
}
