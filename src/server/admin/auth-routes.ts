/** Logging in and out, the caller's own account, admin access tokens for scripts, and self-registration. */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import { quotaOf } from '../../billing/cost.ts';
import { Forbidden, GatewayError, InvalidRequest, Unauthorized } from '../../core/errors.ts';
import { insertWithId } from '../../store/db.ts';
import { readOptions } from '../../store/options.ts';
import { tokenHash } from '../../store/tokens.ts';
import { findUser, hashPassword, verifyPassword } from '../../store/users.ts';
import { type AdminRoute, route } from './api.ts';
import { checkLogin, countAttempt, countFailure } from './login-limit.ts';
import { endSession, startSession } from './session.ts';
import { password, userShape, userView } from './shapes.ts';

const credentials = z.object({ username: z.string().min(1).max(191), password: z.string().min(1).max(200) });
const ok = z.object({ ok: z.literal(true) });

/** A hash to compare against when the user does not exist, so both failures take the same time. */
const NO_USER_HASH = await hashPassword(randomBytes(16).toString('hex'));

const login = route({
  method: 'POST',
  url: '/api/auth/login',
  tag: 'auth',
  summary: 'Log in: sets an httpOnly session cookie',
  access: 'public',
  body: credentials,
  response: userShape,
  handler: async ({ gw, body, request, reply }) => {
    await checkLogin(gw.limiter, request.ip, body.username);
    const user = await gw.store.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', body.username)
      .executeTakeFirst();
    const valid = await verifyPassword(body.password, user?.password_hash ?? NO_USER_HASH);
    if (!user || !valid) {
      countFailure(gw.limiter, request.ip, body.username);
      throw new Unauthorized('Wrong username or password.');
    }
    if (user.status !== 'enabled') throw new Forbidden('This account is disabled.', 'account_disabled');
    startSession(gw, request, reply, user);
    return userView(user);
  },
});

const logout = route({
  method: 'POST',
  url: '/api/auth/logout',
  tag: 'auth',
  summary: 'End this session',
  access: 'public',
  response: ok,
  handler: async ({ request, reply }) => {
    endSession(request, reply);
    return { ok: true as const };
  },
});

const logoutAll = route({
  method: 'POST',
  url: '/api/auth/logout-all',
  tag: 'auth',
  summary: 'End every session of the caller, on every device',
  access: 'user',
  beforePasswordChange: true,
  response: ok,
  handler: async ({ gw, principal, request, reply }) => {
    await gw.store.db
      .updateTable('users')
      .set({ session_epoch: sql`session_epoch + 1`, updated_at: Date.now() })
      .where('id', '=', principal.userId)
      .execute();
    endSession(request, reply);
    return { ok: true as const };
  },
});

const self = route({
  method: 'GET',
  url: '/api/auth/self',
  tag: 'auth',
  summary: 'The caller’s own account',
  access: 'user',
  beforePasswordChange: true,
  response: userShape,
  handler: async ({ gw, principal }) => userView((await findUser(gw.store, principal.userId))!),
});

const updateSelf = route({
  method: 'PUT',
  url: '/api/auth/self',
  tag: 'auth',
  summary:
    'Change the caller’s name, email or password (a new password ends the other sessions and a required password change)',
  access: 'user',
  beforePasswordChange: true,
  body: z
    .object({
      display_name: z.string().max(191).optional(),
      email: z.email().max(191).nullable().optional(),
      password: password.optional(),
      current_password: z.string().max(200).optional(),
    })
    .strict(),
  response: userShape,
  handler: async ({ gw, principal, body, request, reply }) => {
    const user = (await findUser(gw.store, principal.userId))!;
    const changes: Record<string, unknown> = { updated_at: Date.now() };
    if (body.display_name !== undefined) changes.display_name = body.display_name;
    if (body.email !== undefined) changes.email = body.email;
    if (body.password !== undefined) {
      if (!body.current_password || !(await verifyPassword(body.current_password, user.password_hash))) {
        throw new InvalidRequest('The current password is wrong.', { param: 'current_password' });
      }
      changes.password_hash = await hashPassword(body.password);
      changes.session_epoch = user.session_epoch + 1;
      changes.must_change_password = 0;
    }
    await gw.store.db.updateTable('users').set(changes).where('id', '=', user.id).execute();
    const updated = (await findUser(gw.store, user.id))!;
    if (body.password !== undefined && principal.via === 'session') startSession(gw, request, reply, updated);
    return userView(updated);
  },
});

const newAccessToken = route({
  method: 'POST',
  url: '/api/auth/access-token',
  tag: 'auth',
  summary: 'Make a new admin access token for scripts (shown once; replaces the previous one)',
  access: 'user',
  response: z.object({ access_token: z.string() }),
  handler: async ({ gw, principal }) => {
    const token = `sya-${randomBytes(30).toString('base64url')}`;
    await gw.store.db
      .updateTable('users')
      .set({ access_token_hash: tokenHash(token), updated_at: Date.now() })
      .where('id', '=', principal.userId)
      .execute();
    return { access_token: token };
  },
});

const revokeAccessToken = route({
  method: 'DELETE',
  url: '/api/auth/access-token',
  tag: 'auth',
  summary: 'Revoke the caller’s admin access token',
  access: 'user',
  response: ok,
  handler: async ({ gw, principal }) => {
    await gw.store.db
      .updateTable('users')
      .set({ access_token_hash: null, updated_at: Date.now() })
      .where('id', '=', principal.userId)
      .execute();
    return { ok: true as const };
  },
});

const register = route({
  method: 'POST',
  url: '/api/auth/register',
  tag: 'auth',
  summary: 'Make an account (when an admin turned registration on)',
  access: 'public',
  body: z.object({ username: z.string().regex(/^[\w.@-]{3,64}$/, '3 to 64 letters, digits, _ . @ -'), password }),
  status: 201,
  response: userShape,
  handler: async ({ gw, body, request, reply }) => {
    const options = await readOptions(gw.store);
    if (!options.registration_enabled) throw new Forbidden('Registration is closed.', 'registration_closed');
    await checkLogin(gw.limiter, request.ip, body.username);
    countAttempt(gw.limiter, request.ip);
    const taken = await gw.store.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', body.username)
      .executeTakeFirst();
    if (taken) throw new GatewayError('invalid_request', 409, 'That username is taken.', { code: 'conflict' });
    const now = Date.now();
    const id = await insertWithId(gw.store, 'users', {
      username: body.username,
      display_name: body.username,
      password_hash: await hashPassword(body.password),
      role: 'user',
      group_name: 'default',
      status: 'enabled',
      quota: quotaOf(options.new_user_quota_usd),
      email: null,
      access_token_hash: null,
      created_at: now,
      updated_at: now,
    });
    const user = (await findUser(gw.store, id))!;
    startSession(gw, request, reply, user);
    return userView(user);
  },
});

export const AUTH_ROUTES: readonly AdminRoute[] = [
  login,
  logout,
  logoutAll,
  self,
  updateSelf,
  newAccessToken,
  revokeAccessToken,
  register,
];
