/** Redemption codes (admins make them; any user redeems one for balance) and the run-time options. */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import { quotaOf, usdOf } from '../../billing/cost.ts';
import { InvalidRequest } from '../../core/errors.ts';
import { insertWithId } from '../../store/db.ts';
import { optionsSchema, readOptions, writeOptions } from '../../store/options.ts';
import { tokenHash } from '../../store/tokens.ts';
import { findUser } from '../../store/users.ts';
import { type AdminRoute, idParams, notFound, route } from './api.ts';
import { pageOf, paging } from './shapes.ts';

export const redemptionShape = z.object({
  id: z.number().int(),
  name: z.string(),
  quota_usd: z.number(),
  status: z.enum(['unused', 'used', 'disabled']),
  created_at: z.number().int(),
  redeemed_by: z.number().int().nullable(),
  redeemed_at: z.number().int().nullable(),
});

const createRedemptions = route({
  method: 'POST',
  url: '/api/redemptions',
  tag: 'redemptions',
  summary: 'Make redemption codes; the answer holds the codes, shown this once',
  access: 'admin',
  body: z
    .object({
      name: z.string().min(1).max(191),
      quota_usd: z.number().positive().max(1e9),
      count: z.number().int().min(1).max(100).default(1),
    })
    .strict(),
  status: 201,
  response: z.object({ codes: z.array(z.object({ id: z.number().int(), code: z.string() })) }),
  handler: async ({ gw, principal, body }) => {
    const codes: { id: number; code: string }[] = [];
    for (let i = 0; i < body.count; i++) {
      const code = randomBytes(24).toString('base64url');
      const id = await insertWithId(gw.store, 'redemptions', {
        name: body.name,
        code_hash: tokenHash(code),
        quota: quotaOf(body.quota_usd),
        status: 'unused',
        created_by: principal.userId,
        created_at: Date.now(),
        redeemed_by: null,
        redeemed_at: null,
      });
      codes.push({ id, code });
    }
    return { codes };
  },
});

const listRedemptions = route({
  method: 'GET',
  url: '/api/redemptions',
  tag: 'redemptions',
  summary: 'Redemption codes (without the codes)',
  access: 'admin',
  query: paging,
  response: pageOf(redemptionShape),
  handler: async ({ gw, query }) => {
    const { n } = await gw.store.db
      .selectFrom('redemptions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const rows = await gw.store.db
      .selectFrom('redemptions')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(query.page_size)
      .offset((query.page - 1) * query.page_size)
      .execute();
    return {
      items: rows.map(({ code_hash: _, created_by: __, quota, ...r }) => ({ ...r, quota_usd: usdOf(quota) })),
      total: Number(n),
    };
  },
});

const updateRedemption = route({
  method: 'PUT',
  url: '/api/redemptions/:id',
  tag: 'redemptions',
  summary: 'Disable or re-enable an unused code, or rename it',
  access: 'admin',
  params: idParams,
  body: z
    .object({ status: z.enum(['unused', 'disabled']).optional(), name: z.string().min(1).max(191).optional() })
    .strict()
    // An empty edit would be an UPDATE with nothing to set: invalid SQL, once a 500.
    .refine((b) => b.status !== undefined || b.name !== undefined, 'Send a status, a name or both.'),
  response: z.object({ ok: z.literal(true) }),
  handler: async ({ gw, params, body }) => {
    const result = await gw.store.db
      .updateTable('redemptions')
      .set(body)
      .where('id', '=', params.id)
      .where('status', '!=', 'used')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound('unused redemption');
    return { ok: true as const };
  },
});

const deleteRedemption = route({
  method: 'DELETE',
  url: '/api/redemptions/:id',
  tag: 'redemptions',
  summary: 'Delete a code',
  access: 'admin',
  params: idParams,
  response: z.object({ ok: z.literal(true) }),
  handler: async ({ gw, params }) => {
    const result = await gw.store.db.deleteFrom('redemptions').where('id', '=', params.id).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound('redemption');
    return { ok: true as const };
  },
});

const redeem = route({
  method: 'POST',
  url: '/api/redemptions/redeem',
  tag: 'redemptions',
  summary: 'Redeem a code: its amount is added to the caller’s balance (each code once)',
  access: 'user',
  body: z.object({ code: z.string().min(1).max(200) }).strict(),
  response: z.object({ added_usd: z.number(), quota_usd: z.number().nullable() }),
  handler: async ({ gw, principal, body }) => {
    const now = Date.now();
    const added = await gw.store.db.transaction().execute(async (trx) => {
      const code = await trx
        .selectFrom('redemptions')
        .select(['id', 'quota'])
        .where('code_hash', '=', tokenHash(body.code))
        .executeTakeFirst();
      // Marking it used only while it is unused makes two redeems of one code credit once, whatever the timing.
      const taken = code
        ? await trx
            .updateTable('redemptions')
            .set({ status: 'used', redeemed_by: principal.userId, redeemed_at: now })
            .where('id', '=', code.id)
            .where('status', '=', 'unused')
            .executeTakeFirst()
        : undefined;
      if (!code || Number(taken?.numUpdatedRows ?? 0) !== 1) {
        throw new InvalidRequest('This code is not valid.', { param: 'code', code: 'invalid_code' });
      }
      await trx
        .updateTable('users')
        .set({ quota: sql`quota + ${code.quota}`, updated_at: now })
        .where('id', '=', principal.userId)
        .execute();
      await trx
        .insertInto('topups')
        .values({
          user_id: principal.userId,
          quota: code.quota,
          source: 'redemption',
          reference: String(code.id),
          created_at: now,
        })
        .execute();
      return code.quota;
    });
    gw.accountsChanged({ userIds: [principal.userId] });
    const user = (await findUser(gw.store, principal.userId))!;
    return { added_usd: usdOf(added), quota_usd: user.quota === null ? null : usdOf(user.quota) };
  },
});

const getOptions = route({
  method: 'GET',
  url: '/api/options',
  tag: 'options',
  summary: 'Run-time options',
  access: 'root',
  response: optionsSchema,
  handler: async ({ gw }) => readOptions(gw.store),
});

const putOptions = route({
  method: 'PUT',
  url: '/api/options',
  tag: 'options',
  summary: 'Change run-time options (unknown names are refused)',
  access: 'root',
  body: optionsSchema.partial(),
  response: optionsSchema,
  handler: async ({ gw, body }) => writeOptions(gw.store, body),
});

export const REDEMPTION_ROUTES: readonly AdminRoute[] = [
  createRedemptions,
  listRedemptions,
  updateRedemption,
  deleteRedemption,
  redeem,
  getOptions,
  putOptions,
];
