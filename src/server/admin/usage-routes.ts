/** Usage logs: filtered, paged, newest first, and the same selection as a CSV download streamed page by page. */
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { UsageLogRow } from '../../store/schema.ts';
import { type AdminRoute, route } from './api.ts';
import { CSV_HEADER, csvRow } from './logs-csv.ts';
import { pageOf, paging } from './shapes.ts';
import { filteredLogs, type Logs, logFilters } from './usage-scope.ts';

export const logShape = z.object({
  id: z.number().int(),
  request_id: z.string(),
  parent_request_id: z.string().nullable().describe('set on a call a virtual model made: the client’s request'),
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
  query: logFilters.extend(paging.shape),
  response: pageOf(logShape),
  handler: async ({ gw, principal, query }) => {
    const q = filteredLogs(gw, principal, query);
    await gw.usage.flush();
    const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await q
      .selectAll()
      .orderBy('id', 'desc')
      .limit(query.page_size)
      .offset((query.page - 1) * query.page_size)
      .execute();
    const items = rows.map((r) => ({ ...r, parent_request_id: r.parent_request_id ?? null, stream: r.stream === 1 }));
    return { items, total: Number(n) };
  },
});

/** Rows per query of an export: a page in memory at a time, however many rows the selection holds. */
const EXPORT_PAGE = 1000;

function logsPage(q: Logs, before: number | undefined): Promise<UsageLogRow[]> {
  const page = before === undefined ? q : q.where('id', '<', before);
  return page.selectAll().orderBy('id', 'desc').limit(EXPORT_PAGE).execute();
}

/** The CSV text: the header, then the selection newest first, read by id (keyset) so a deep page costs no more. */
async function* csvLines(q: Logs, first: UsageLogRow[]): AsyncGenerator<string> {
  yield CSV_HEADER;
  let page = first;
  for (;;) {
    yield page.map(csvRow).join('');
    if (page.length < EXPORT_PAGE) return;
    page = await logsPage(q, page.at(-1)!.id);
  }
}

/** `20260310-235900`: the export's moment (UTC) in its file name. */
function fileStamp(at: Date): string {
  return at.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}

const exportLogs = route({
  method: 'GET',
  url: '/api/logs/export',
  tag: 'usage',
  summary: 'The usage logs /api/logs selects (without paging) as a CSV download, newest first',
  access: 'user',
  query: logFilters,
  produces: 'text/csv',
  response: z
    .instanceof(Readable)
    .describe(
      'A header row, then one row per log: time (ISO 8601 UTC), request_id, parent_request_id, user_id, token_name, channel, model, upstream_model, prompt_tokens, completion_tokens, cached_tokens, cost_usd, quota, latency_ms, ttft_ms, stream, status, error, ip',
    ),
  handler: async ({ gw, principal, query, reply }) => {
    const q = filteredLogs(gw, principal, query);
    await gw.usage.flush();
    // The first page is read before the answer starts, so a failing query is still an error answer, not a cut file.
    const first = await logsPage(q, undefined);
    reply.header('content-disposition', `attachment; filename="switchyard-logs-${fileStamp(new Date())}.csv"`);
    return Readable.from(csvLines(q, first), { objectMode: false });
  },
});

export const USAGE_ROUTES: readonly AdminRoute[] = [listLogs, exportLogs];
