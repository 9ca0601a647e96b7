/** Usage logs (filtered, paged, newest first) and usage statistics by day, model, channel, token or user. */
import { type ExpressionBuilder, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import { z } from 'zod';
import type { Gateway } from '../../gateway.ts';
import type { Database } from '../../store/schema.ts';
import { type AdminRoute, route } from './api.ts';
import type { Principal } from './session.ts';
import { pageOf, paging } from './shapes.ts';

const DAY_MS = 86_400_000;

const range = z.object({
  from: z.coerce.number().int().min(0).optional().describe('Unix ms, inclusive'),
  to: z.coerce.number().int().min(0).optional().describe('Unix ms, exclusive'),
  user_id: z.coerce.number().int().positive().optional().describe('admins only; users always see their own'),
  token_id: z.coerce.number().int().positive().optional(),
  model: z.string().max(191).optional(),
  channel: z.string().max(191).optional(),
});

type Logs = SelectQueryBuilder<Database, 'usage_logs', object>;

/** The rows a caller may see within the filters: a user only their own. */
function scoped(gw: Gateway, principal: Principal, filters: z.infer<typeof range>): Logs {
  let q = gw.store.db.selectFrom('usage_logs') as Logs;
  const userId = principal.role === 'user' ? principal.userId : filters.user_id;
  if (userId !== undefined) q = q.where('user_id', '=', userId);
  if (filters.from !== undefined) q = q.where('created_at', '>=', filters.from);
  if (filters.to !== undefined) q = q.where('created_at', '<', filters.to);
  if (filters.token_id !== undefined) q = q.where('token_id', '=', filters.token_id);
  if (filters.model !== undefined) q = q.where('model', '=', filters.model);
  if (filters.channel !== undefined) q = q.where('channel', '=', filters.channel);
  return q;
}

const logShape = z.object({
  id: z.number().int(),
  request_id: z.string(),
  created_at: z.number().int(),
  user_id: z.number().int().nullable(),
  token_id: z.number().int().nullable(),
  token_name: z.string(),
  channel: z.string().nullable(),
  model: z.string(),
  upstream_model: z.string().nullable(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  cached_tokens: z.number().int(),
  quota: z.number().int(),
  cost_usd: z.number(),
  latency_ms: z.number().int(),
  ttft_ms: z.number().int().nullable(),
  stream: z.boolean(),
  status: z.number().int(),
  error: z.string().nullable(),
  ip: z.string().nullable(),
});

const listLogs = route({
  method: 'GET',
  url: '/api/logs',
  tag: 'usage',
  summary: 'Usage logs, newest first: the caller’s own; admins see all',
  access: 'user',
  query: range.extend(paging.shape).extend({
    token_name: z.string().max(191).optional(),
    status: z.coerce.number().int().optional(),
    errors_only: z.enum(['true', 'false']).optional(),
    request_id: z.string().max(64).optional(),
  }),
  response: pageOf(logShape),
  handler: async ({ gw, principal, query }) => {
    let q = scoped(gw, principal, query);
    if (query.token_name !== undefined) q = q.where('token_name', '=', query.token_name);
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    if (query.errors_only === 'true') q = q.where('status', '>=', 400);
    if (query.request_id !== undefined) q = q.where('request_id', '=', query.request_id);
    await gw.usage.flush();
    const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await q
      .selectAll()
      .orderBy('id', 'desc')
      .limit(query.page_size)
      .offset((query.page - 1) * query.page_size)
      .execute();
    return { items: rows.map((r) => ({ ...r, stream: r.stream === 1 })), total: Number(n) };
  },
});

const totalsShape = z.object({
  requests: z.number().int(),
  errors: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  cached_tokens: z.number().int(),
  quota: z.number().int(),
  cost_usd: z.number(),
  avg_latency_ms: z.number().nullable(),
  avg_ttft_ms: z.number().nullable(),
});

/** The aggregate columns, the same for the summary and each bucket. */
function totals(eb: ExpressionBuilder<Database, 'usage_logs'>) {
  return [
    eb.fn.countAll<number>().as('requests'),
    eb.fn.sum<number>(eb.case().when('status', '>=', 400).then(1).else(0).end()).as('errors'),
    eb.fn.sum<number>('prompt_tokens').as('prompt_tokens'),
    eb.fn.sum<number>('completion_tokens').as('completion_tokens'),
    eb.fn.sum<number>('cached_tokens').as('cached_tokens'),
    eb.fn.sum<number>('quota').as('quota'),
    eb.fn.sum<number>('cost_usd').as('cost_usd'),
    eb.fn.avg<number>('latency_ms').as('avg_latency_ms'),
    eb.fn.avg<number>('ttft_ms').as('avg_ttft_ms'),
  ] as const;
}

/** Engines hand sums back as numbers, numeric strings or null (no rows): always numbers here. */
function numbers(row: Record<string, unknown>): z.infer<typeof totalsShape> {
  const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
  const avg = (v: unknown): number | null => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);
  return {
    requests: n(row.requests),
    errors: n(row.errors),
    prompt_tokens: n(row.prompt_tokens),
    completion_tokens: n(row.completion_tokens),
    cached_tokens: n(row.cached_tokens),
    quota: n(row.quota),
    cost_usd: n(row.cost_usd),
    avg_latency_ms: avg(row.avg_latency_ms),
    avg_ttft_ms: avg(row.avg_ttft_ms),
  };
}

const stats = route({
  method: 'GET',
  url: '/api/stats',
  tag: 'usage',
  summary: 'Usage totals and buckets by UTC day, model, channel, token or user (user: admins only)',
  access: 'user',
  query: range.extend({ group_by: z.enum(['day', 'model', 'channel', 'token', 'user']).default('day') }),
  response: z.object({
    summary: totalsShape,
    buckets: z.array(totalsShape.extend({ key: z.string().describe('YYYY-MM-DD, model, channel, token or user id') })),
  }),
  handler: async ({ gw, principal, query }) => {
    const q = scoped(gw, principal, query);
    await gw.usage.flush();
    const summary = numbers(await q.select(totals).executeTakeFirstOrThrow());
    const by = principal.role === 'user' && query.group_by === 'user' ? 'token' : query.group_by;
    // Literals, not parameters: GROUP BY must repeat the selected expression exactly (MySQL's ONLY_FULL_GROUP_BY).
    const day =
      gw.store.engine === 'mysql'
        ? sql<unknown>`created_at DIV ${sql.lit(DAY_MS)}`
        : sql<unknown>`created_at / ${sql.lit(DAY_MS)}`;
    const key: RawBuilder<unknown> =
      by === 'day'
        ? day
        : by === 'model'
          ? sql`model`
          : by === 'channel'
            ? sql`channel`
            : by === 'token'
              ? sql`token_name`
              : sql`user_id`;
    const rows = await q
      .select((eb) => [key.as('bucket'), ...totals(eb)])
      .groupBy(key)
      .orderBy(key)
      .execute();
    const label = (bucket: unknown): string =>
      by === 'day' ? new Date(Number(bucket) * DAY_MS).toISOString().slice(0, 10) : String(bucket ?? '');
    return { summary, buckets: rows.map((r) => ({ key: label(r.bucket), ...numbers(r) })) };
  },
});

export const USAGE_ROUTES: readonly AdminRoute[] = [listLogs, stats];
