/** API tokens: each user manages their own; admins anyone's. The key is shown once, when the token is made. */
import { isIP } from 'node:net';
import { z } from 'zod';
import { quotaOf } from '../../billing/cost.ts';
import { Forbidden } from '../../core/errors.ts';
import type { Gateway } from '../../gateway.ts';
import { insertWithId } from '../../store/db.ts';
import type { TokenRow } from '../../store/schema.ts';
import { keyHint, newTokenKey, newTokenRow, tokenHash } from '../../store/tokens.ts';
import { type AdminRoute, idParams, notFound, route } from './api.ts';
import type { Principal } from './session.ts';
import { pageOf, paging, tokenShape, tokenView } from './shapes.ts';

/** An address or CIDR block, IPv4 or IPv6. */
const ipOrCidr = z.string().refine((entry) => {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (!family || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}, 'not an IP address or CIDR block');

const tokenFields = z
  .object({
    name: z.string().min(1).max(191),
    quota_usd: z.number().min(0).max(1e9).nullable().describe('null: unlimited'),
    expires_at: z.number().int().positive().nullable().describe('Unix ms; null: never'),
    models: z.array(z.string().min(1).max(191)).max(1000).nullable().describe('null: every model'),
    allow_ips: z.array(ipOrCidr).max(1000).nullable().describe('addresses and CIDR blocks; null: anywhere'),
    rpm: z.number().int().positive().nullable(),
    tpm: z.number().int().positive().nullable(),
    status: z.enum(['enabled', 'disabled']),
  })
  .strict();

/** The columns a (partial) token body sets. */
type TokenBody = { [K in keyof z.infer<typeof tokenFields>]?: z.infer<typeof tokenFields>[K] | undefined };

function columns(body: TokenBody): Partial<TokenRow> {
  const c: Partial<TokenRow> = {};
  if (body.name !== undefined) c.name = body.name;
  if (body.quota_usd !== undefined) {
    c.unlimited_quota = body.quota_usd === null ? 1 : 0;
    c.remain_quota = body.quota_usd === null ? 0 : quotaOf(body.quota_usd);
  }
  if (body.expires_at !== undefined) c.expires_at = body.expires_at;
  if (body.models !== undefined) c.models = body.models === null ? null : JSON.stringify(body.models);
  if (body.allow_ips !== undefined) c.allow_ips = body.allow_ips === null ? null : JSON.stringify(body.allow_ips);
  if (body.rpm !== undefined) c.rpm = body.rpm;
  if (body.tpm !== undefined) c.tpm = body.tpm;
  if (body.status !== undefined) c.status = body.status;
  return c;
}

/** The token if the caller may see it: their own, or any for admins. Someone else's is "not found". */
async function visibleToken(gw: Gateway, principal: Principal, id: number): Promise<TokenRow> {
  const token = await gw.store.db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
  if (!token || token.source === 'playground' || (principal.role === 'user' && token.user_id !== principal.userId))
    throw notFound('token');
  return token;
}

function editable(token: TokenRow): void {
  if (token.source === 'config') {
    throw new Forbidden('This key comes from the config file (auth.keys): change it there.', 'config_token');
  }
}

const listTokens = route({
  method: 'GET',
  url: '/api/tokens',
  tag: 'tokens',
  summary: 'API tokens: the caller’s own; admins may name a user_id (or see all)',
  access: 'user',
  query: paging.extend({ user_id: z.coerce.number().int().positive().optional() }),
  response: pageOf(tokenShape),
  handler: async ({ gw, principal, query }) => {
    const userId = principal.role === 'user' ? principal.userId : query.user_id;
    let q = gw.store.db.selectFrom('tokens').where('source', '!=', 'playground');
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await q
      .selectAll()
      .orderBy('id', 'desc')
      .limit(query.page_size)
      .offset((query.page - 1) * query.page_size)
      .execute();
    return { items: rows.map(tokenView), total: Number(n) };
  },
});

export const newTokenShape = tokenShape.extend({ key: z.string().describe('the whole key: shown this once') });

const createToken = route({
  method: 'POST',
  url: '/api/tokens',
  tag: 'tokens',
  summary: 'Make an API token; the answer holds its key, shown this once',
  access: 'user',
  body: tokenFields
    .partial()
    .required({ name: true })
    .extend({
      user_id: z.number().int().positive().optional().describe('admins: make it for this user'),
    }),
  status: 201,
  response: newTokenShape,
  handler: async ({ gw, principal, body }) => {
    const { user_id: forUser, ...fields } = body;
    const userId = principal.role !== 'user' && forUser !== undefined ? forUser : principal.userId;
    if (userId !== principal.userId) {
      const owner = await gw.store.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
      if (!owner) throw notFound('user');
    }
    const key = newTokenKey();
    const id = await insertWithId(
      gw.store,
      'tokens',
      newTokenRow({
        user_id: userId,
        name: fields.name,
        key_hash: tokenHash(key),
        key_hint: keyHint(key),
        source: 'db',
        ...columns(fields),
      }),
    );
    gw.accountsChanged();
    const row = await gw.store.db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return { ...tokenView(row), key };
  },
});

const getToken = route({
  method: 'GET',
  url: '/api/tokens/:id',
  tag: 'tokens',
  summary: 'One API token (never its key)',
  access: 'user',
  params: idParams,
  response: tokenShape,
  handler: async ({ gw, principal, params }) => tokenView(await visibleToken(gw, principal, params.id)),
});

const updateToken = route({
  method: 'PUT',
  url: '/api/tokens/:id',
  tag: 'tokens',
  summary: 'Change an API token (quota_usd sets what remains)',
  access: 'user',
  params: idParams,
  body: tokenFields.partial(),
  response: tokenShape,
  handler: async ({ gw, principal, params, body }) => {
    const token = await visibleToken(gw, principal, params.id);
    editable(token);
    const changes = columns(body);
    if (Object.keys(changes).length)
      await gw.store.db.updateTable('tokens').set(changes).where('id', '=', token.id).execute();
    gw.accountsChanged({ tokenIds: [token.id] });
    return tokenView(await visibleToken(gw, principal, token.id));
  },
});

const deleteToken = route({
  method: 'DELETE',
  url: '/api/tokens/:id',
  tag: 'tokens',
  summary: 'Delete an API token (its usage logs stay)',
  access: 'user',
  params: idParams,
  response: z.object({ ok: z.literal(true) }),
  handler: async ({ gw, principal, params }) => {
    const token = await visibleToken(gw, principal, params.id);
    editable(token);
    await gw.store.db.deleteFrom('tokens').where('id', '=', token.id).execute();
    gw.accountsChanged({ tokenIds: [token.id] });
    return { ok: true as const };
  },
});

export const TOKEN_ROUTES: readonly AdminRoute[] = [listTokens, createToken, getToken, updateToken, deleteToken];
