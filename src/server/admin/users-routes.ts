/** Users (admins manage users; only root manages admins; root itself is root's alone) and top-ups. */
import { sql } from 'kysely';
import { z } from 'zod';
import { quotaOf, usdOf } from '../../billing/cost.ts';
import { Forbidden, InvalidRequest } from '../../core/errors.ts';
import type { Gateway } from '../../gateway.ts';
import { insertWithId } from '../../store/db.ts';
import { readOptions } from '../../store/options.ts';
import type { UserRow } from '../../store/schema.ts';
import { findUser, hashPassword } from '../../store/users.ts';
import { type AdminRoute, conflict, idParams, notFound, route } from './api.ts';
import type { Principal } from './session.ts';
import { pageOf, paging, password, userShape, userView } from './shapes.ts';

/** The user, if the caller may manage them: root manages everyone, admins manage plain users. */
async function manageable(gw: Gateway, principal: Principal, id: number): Promise<UserRow> {
  const user = await findUser(gw.store, id);
  if (!user) throw notFound('user');
  if (principal.role === 'root') return user;
  if (user.role !== 'user') throw new Forbidden('Only root manages admins and root.', 'insufficient_role');
  return user;
}

async function checkGroup(gw: Gateway, group: string): Promise<void> {
  const found = await gw.store.db.selectFrom('groups').select('name').where('name', '=', group).executeTakeFirst();
  if (!found) throw new InvalidRequest(`No group '${group}'.`, { param: 'group' });
}

const usdAmount = z.number().min(0).max(1e9);

const listUsers = route({
  method: 'GET',
  url: '/api/users',
  tag: 'users',
  summary: 'List users (search by name or email)',
  access: 'admin',
  query: paging.extend({ q: z.string().max(191).optional() }),
  response: pageOf(userShape),
  handler: async ({ gw, query }) => {
    let q = gw.store.db.selectFrom('users');
    if (query.q) {
      const like = `%${query.q.toLowerCase()}%`;
      q = q.where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['username']), 'like', like),
          eb(eb.fn('lower', ['display_name']), 'like', like),
          eb(eb.fn('lower', ['email']), 'like', like),
        ]),
      );
    }
    const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await q
      .selectAll()
      .orderBy('id')
      .limit(query.page_size)
      .offset((query.page - 1) * query.page_size)
      .execute();
    return { items: rows.map(userView), total: Number(n) };
  },
});

const createUser = route({
  method: 'POST',
  url: '/api/users',
  tag: 'users',
  summary: 'Make a user (admins: only root makes admins)',
  access: 'admin',
  body: z
    .object({
      username: z.string().regex(/^[\w.@-]{1,64}$/, 'letters, digits, _ . @ - (at most 64)'),
      password,
      display_name: z.string().max(191).optional(),
      email: z.email().max(191).nullable().optional(),
      role: z.enum(['user', 'admin']).default('user'),
      group: z.string().min(1).max(191).default('default'),
      quota_usd: usdAmount.nullable().optional().describe('null: unlimited; absent: the new_user_quota_usd option'),
      must_change_password: z.boolean().optional().describe('true: the user must change the password at first login'),
    })
    .strict(),
  status: 201,
  response: userShape,
  handler: async ({ gw, principal, body }) => {
    if (body.role === 'admin' && principal.role !== 'root')
      throw new Forbidden('Only root makes admins.', 'insufficient_role');
    await checkGroup(gw, body.group);
    const taken = await gw.store.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', body.username)
      .executeTakeFirst();
    if (taken) throw conflict(`The username '${body.username}' is taken.`);
    const quotaUsd = body.quota_usd === undefined ? (await readOptions(gw.store)).new_user_quota_usd : body.quota_usd;
    const now = Date.now();
    const id = await insertWithId(gw.store, 'users', {
      username: body.username,
      display_name: body.display_name ?? body.username,
      password_hash: await hashPassword(body.password),
      role: body.role,
      group_name: body.group,
      status: 'enabled',
      quota: quotaUsd === null ? null : quotaOf(quotaUsd),
      email: body.email ?? null,
      access_token_hash: null,
      must_change_password: body.must_change_password ? 1 : 0,
      created_at: now,
      updated_at: now,
    });
    return userView((await findUser(gw.store, id))!);
  },
});

const getUser = route({
  method: 'GET',
  url: '/api/users/:id',
  tag: 'users',
  summary: 'One user',
  access: 'admin',
  params: idParams,
  response: userShape,
  handler: async ({ gw, params }) => {
    const user = await findUser(gw.store, params.id);
    if (!user) throw notFound('user');
    return userView(user);
  },
});

const updateUser = route({
  method: 'PUT',
  url: '/api/users/:id',
  tag: 'users',
  summary: 'Change a user (role changes: root only; root cannot be demoted or disabled)',
  access: 'admin',
  params: idParams,
  body: z
    .object({
      display_name: z.string().max(191).optional(),
      email: z.email().max(191).nullable().optional(),
      password: password.optional(),
      role: z.enum(['user', 'admin']).optional(),
      group: z.string().min(1).max(191).optional(),
      status: z.enum(['enabled', 'disabled']).optional(),
      quota_usd: usdAmount.nullable().optional().describe('Sets the balance; null: unlimited'),
      must_change_password: z
        .boolean()
        .optional()
        .describe('true: the admin API serves the user nothing but a password change until they make one'),
    })
    .strict(),
  response: userShape,
  handler: async ({ gw, principal, params, body }) => {
    const user = await manageable(gw, principal, params.id);
    if (user.role === 'root' && (body.role !== undefined || body.status === 'disabled')) {
      throw new Forbidden('root cannot be demoted or disabled.', 'root_protected');
    }
    if (body.role !== undefined && principal.role !== 'root')
      throw new Forbidden('Only root changes roles.', 'insufficient_role');
    if (body.group !== undefined) await checkGroup(gw, body.group);
    const changes: Record<string, unknown> = { updated_at: Date.now() };
    if (body.display_name !== undefined) changes.display_name = body.display_name;
    if (body.email !== undefined) changes.email = body.email;
    if (body.role !== undefined) changes.role = body.role;
    if (body.group !== undefined) changes.group_name = body.group;
    if (body.status !== undefined) changes.status = body.status;
    if (body.quota_usd !== undefined) changes.quota = body.quota_usd === null ? null : quotaOf(body.quota_usd);
    if (body.must_change_password !== undefined) changes.must_change_password = body.must_change_password ? 1 : 0;
    if (body.password !== undefined) {
      changes.password_hash = await hashPassword(body.password);
      changes.session_epoch = user.session_epoch + 1;
    }
    await gw.store.db.updateTable('users').set(changes).where('id', '=', user.id).execute();
    gw.accountsChanged({ userIds: [user.id] });
    return userView((await findUser(gw.store, user.id))!);
  },
});

const deleteUser = route({
  method: 'DELETE',
  url: '/api/users/:id',
  tag: 'users',
  summary: 'Delete a user and their tokens (their usage logs stay)',
  access: 'admin',
  params: idParams,
  response: z.object({ ok: z.literal(true) }),
  handler: async ({ gw, principal, params }) => {
    const user = await manageable(gw, principal, params.id);
    if (user.role === 'root') throw new Forbidden('root cannot be deleted.', 'root_protected');
    await gw.store.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('tokens').where('user_id', '=', user.id).execute();
      await trx.deleteFrom('users').where('id', '=', user.id).execute();
    });
    gw.accountsChanged({ userIds: [user.id] });
    return { ok: true as const };
  },
});

const topup = route({
  method: 'POST',
  url: '/api/users/:id/topup',
  tag: 'users',
  summary: 'Add to a user’s balance (recorded as a top-up)',
  access: 'admin',
  params: idParams,
  body: z.object({ quota_usd: z.number().positive().max(1e9), reference: z.string().max(191).optional() }).strict(),
  response: z.object({ quota_usd: z.number().nullable() }),
  handler: async ({ gw, principal, params, body }) => {
    const user = await manageable(gw, principal, params.id);
    const quota = quotaOf(body.quota_usd);
    await gw.store.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ quota: sql`quota + ${quota}`, updated_at: Date.now() })
        .where('id', '=', user.id)
        .execute();
      await trx
        .insertInto('topups')
        .values({
          user_id: user.id,
          quota,
          source: 'admin',
          reference: body.reference ?? `by ${principal.username}`,
          created_at: Date.now(),
        })
        .execute();
    });
    gw.accountsChanged({ userIds: [user.id] });
    const after = (await findUser(gw.store, user.id))!;
    return { quota_usd: after.quota === null ? null : usdOf(after.quota) };
  },
});

export const topupShape = z.object({
  id: z.number().int(),
  user_id: z.number().int(),
  quota_usd: z.number(),
  source: z.enum(['redemption', 'admin']),
  reference: z.string().nullable(),
  created_at: z.number().int(),
});

const listTopups = route({
  method: 'GET',
  url: '/api/topups',
  tag: 'users',
  summary: 'Top-ups: the caller’s own; admins see everyone’s or one user’s',
  access: 'user',
  query: paging.extend({ user_id: z.coerce.number().int().positive().optional() }),
  response: pageOf(topupShape),
  handler: async ({ gw, principal, query }) => {
    const userId = principal.role === 'user' ? principal.userId : query.user_id;
    let q = gw.store.db.selectFrom('topups');
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await q
      .selectAll()
      .orderBy('id', 'desc')
      .limit(query.page_size)
      .offset((query.page - 1) * query.page_size)
      .execute();
    return { items: rows.map((t) => ({ ...t, quota_usd: usdOf(t.quota) })), total: Number(n) };
  },
});

export const USER_ROUTES: readonly AdminRoute[] = [
  listUsers,
  createUser,
  getUser,
  updateUser,
  deleteUser,
  topup,
  listTopups,
];
