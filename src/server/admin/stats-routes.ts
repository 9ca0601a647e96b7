/**
 * Usage statistics for charts: totals in buckets by local day, hour or minute (optionally one series per model,
 * channel, token or user) or by model, channel, token or user; and latency percentiles from a histogram.
 */
import { type ExpressionBuilder, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import { z } from 'zod';
import type { Engine } from '../../store/db.ts';
import type { Database } from '../../store/schema.ts';
import { type AdminRoute, route } from './api.ts';
import { type BucketCount, bucketOf, mergedHistogram, percentiles } from './latency-histogram.ts';
import { type Logs, range, scoped } from './usage-scope.ts';

const TIME_BUCKET_MS = { day: 86_400_000, hour: 3_600_000, minute: 60_000 } as const;
type TimeGroup = keyof typeof TIME_BUCKET_MS;
const isTime = (by: string): by is TimeGroup => Object.hasOwn(TIME_BUCKET_MS, by);

const SERIES = ['model', 'channel', 'token', 'user'] as const;
type Series = (typeof SERIES)[number];
const SERIES_COLUMN: Record<Series, RawBuilder<unknown>> = {
  model: sql`model`,
  channel: sql`channel`,
  token: sql`token_name`,
  user: sql`user_id`,
};

export const totalsShape = z.object({
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

/**
 * The number of the time bucket a log falls in, counted in the offset's local time. Literals, not parameters:
 * GROUP BY must repeat the selected expression exactly (MySQL's ONLY_FULL_GROUP_BY).
 */
function timeBucket(engine: Engine, sizeMs: number, offsetMs: number): RawBuilder<unknown> {
  const local = offsetMs === 0 ? sql`created_at` : sql`(created_at + ${sql.lit(offsetMs)})`;
  return engine === 'mysql' ? sql`${local} DIV ${sql.lit(sizeMs)}` : sql`${local} / ${sql.lit(sizeMs)}`;
}

/** A time bucket's key in local time (`2026-03-10`, `2026-03-10T23:00`, `2026-03-10T23:59`) and its real start. */
function timeLabel(by: TimeGroup, bucket: unknown, offsetMs: number): { key: string; start: number } {
  const localStart = Number(bucket) * TIME_BUCKET_MS[by];
  const iso = new Date(localStart).toISOString();
  const key = by === 'day' ? iso.slice(0, 10) : by === 'hour' ? `${iso.slice(0, 13)}:00` : iso.slice(0, 16);
  return { key, start: localStart - offsetMs };
}

export const statsQuery = range
  .extend({
    group_by: z.enum(['day', 'hour', 'minute', 'model', 'channel', 'token', 'user']).default('day'),
    split_by: z
      .enum(SERIES)
      .optional()
      .describe('with group_by day, hour or minute only: one bucket per time and series (user: admins only)'),
    tz_offset: z.coerce
      .number()
      .int()
      .min(-840)
      .max(840)
      .default(0)
      .describe('minutes east of UTC (480 for UTC+8): days, hours and minutes begin at that local time'),
  })
  .superRefine((q, ctx) => {
    if (q.split_by !== undefined && !isTime(q.group_by)) {
      ctx.addIssue({ code: 'custom', path: ['split_by'], message: 'only with group_by day, hour or minute' });
    }
  });

export const bucketShape = totalsShape.extend({
  key: z
    .string()
    .describe('day YYYY-MM-DD, hour YYYY-MM-DDTHH:00, minute YYYY-MM-DDTHH:MM (local time), or the model, channel, …'),
  start: z.number().int().nullable().describe('Unix ms of a time bucket’s start; null for other group_bys'),
  series: z.string().nullable().describe('the split_by value (model, channel, token name, user id); null without'),
});

export const statsShape = z.object({ summary: totalsShape, buckets: z.array(bucketShape) });

const stats = route({
  method: 'GET',
  url: '/api/stats',
  tag: 'usage',
  summary:
    'Usage totals and buckets by local day, hour or minute (optionally split into series), model, channel, token or user (user: admins only)',
  access: 'user',
  query: statsQuery,
  response: statsShape,
  handler: async ({ gw, principal, query }) => {
    const q = scoped(gw, principal, query);
    await gw.usage.flush();
    const summary = numbers(await q.select(totals).executeTakeFirstOrThrow());
    // A user's own usage by user would be one bucket: by token instead.
    const mine = (by: string) => (principal.role === 'user' && by === 'user' ? 'token' : by);
    const by = mine(query.group_by);
    const series = query.split_by && (mine(query.split_by) as Series);
    const offsetMs = query.tz_offset * 60_000;
    if (!isTime(by)) {
      const rows = await grouped(q, SERIES_COLUMN[by as Series], undefined);
      return {
        summary,
        buckets: rows.map((r) => ({ key: String(r.bucket ?? ''), start: null, series: null, ...numbers(r) })),
      };
    }
    const time = timeBucket(gw.store.engine, TIME_BUCKET_MS[by], offsetMs);
    const rows = await grouped(q, time, series ? SERIES_COLUMN[series] : undefined);
    const buckets = rows.map((r) => ({
      ...timeLabel(by, r.bucket, offsetMs),
      series: series ? String(r.series ?? '') : null,
      ...numbers(r),
    }));
    return { summary, buckets };
  },
});

/** Totals per bucket (and per series within it), in bucket order. */
function grouped(q: Logs, bucket: RawBuilder<unknown>, series: RawBuilder<unknown> | undefined) {
  const keys = series ? [bucket, series] : [bucket];
  let by: SelectQueryBuilder<Database, 'usage_logs', Record<string, unknown>> = q.select((eb) => [
    bucket.as('bucket'),
    ...(series ? [series.as('series')] : []),
    ...totals(eb),
  ]);
  by = by.groupBy(keys);
  for (const key of keys) by = by.orderBy(key);
  return by.execute();
}

export const pctShape = z
  .object({
    count: z.number().int(),
    p50: z.number().nullable(),
    p90: z.number().nullable(),
    p95: z.number().nullable(),
    p99: z.number().nullable(),
  })
  .describe('milliseconds; null without requests');

/** Models shown one by one in the latency answer: those with the most requests. */
const TOP_MODELS = 20;

/** Per model, the histogram of a column's values (counted in the database, not loaded). */
async function histogramsByModel(q: Logs, column: 'latency_ms' | 'ttft_ms'): Promise<Map<string, BucketCount[]>> {
  const bucket = bucketOf(column);
  const rows = await q
    .select((eb) => [
      'model',
      bucket.as('bucket'),
      eb.fn.countAll<number>().as('n'),
      eb.fn.min(column).as('lo'),
      eb.fn.max(column).as('hi'),
    ])
    .groupBy(['model', bucket])
    .execute();
  const byModel = new Map<string, BucketCount[]>();
  for (const r of rows) {
    const counted = { bucket: Number(r.bucket), count: Number(r.n), min: Number(r.lo), max: Number(r.hi) };
    const list = byModel.get(r.model);
    if (list) list.push(counted);
    else byModel.set(r.model, [counted]);
  }
  return byModel;
}

export const latencyShape = z.object({
  latency: pctShape,
  ttft: pctShape.describe('over requests with a time to first token (streams)'),
  by_model: z.array(
    z.object({
      model: z.string(),
      requests: z.number().int().describe('successful requests, the percentiles’ population'),
      latency: pctShape,
      ttft: pctShape,
    }),
  ),
});

const latency = route({
  method: 'GET',
  url: '/api/stats/latency',
  tag: 'usage',
  summary:
    'Latency and time-to-first-token percentiles of successful requests (status < 400), overall and for the 20 busiest models',
  access: 'user',
  query: range,
  response: latencyShape,
  handler: async ({ gw, principal, query }) => {
    const ok = scoped(gw, principal, query).where('status', '<', 400);
    await gw.usage.flush();
    const [latencies, ttfts] = await Promise.all([
      histogramsByModel(ok, 'latency_ms'),
      histogramsByModel(ok.where('ttft_ms', 'is not', null), 'ttft_ms'),
    ]);
    const byModel = [...latencies.entries()]
      .map(([model, histogram]) => ({
        model,
        latency: percentiles(histogram),
        ttft: percentiles(ttfts.get(model) ?? []),
      }))
      .sort((a, b) => b.latency.count - a.latency.count || (a.model < b.model ? -1 : 1))
      .slice(0, TOP_MODELS)
      .map((m) => ({ model: m.model, requests: m.latency.count, latency: m.latency, ttft: m.ttft }));
    return {
      latency: percentiles(mergedHistogram(latencies.values())),
      ttft: percentiles(mergedHistogram(ttfts.values())),
      by_model: byModel,
    };
  },
});

export const STATS_ROUTES: readonly AdminRoute[] = [stats, latency];
