// The soak's mixed traffic: each kind of request, how often it is sent, and what its answer must look like.
import type { Dispatcher, Pool } from 'undici';

export const CLIENT_KEY = 'sk-soak';
export const ADMIN_PASSWORD = 'soak-root-password';

/** What one request came to: the answer it should get, an error it was meant to meet, or a defect. */
export type Outcome = { ok: true } | { ok: false; expected: string } | { ok: false; unexpected: string };

export interface TrafficContext {
  pool: Pool;
  /** The admin session cookie. */
  cookie: string;
}

export interface TrafficKind {
  name: string;
  /** Share of the traffic, relative to the other kinds' weights. */
  weight: number;
  run(ctx: TrafficContext, n: number): Promise<Outcome>;
}

const OK: Outcome = { ok: true };
const expected = (what: string): Outcome => ({ ok: false, expected: what });
const unexpected = (what: string): Outcome => ({ ok: false, unexpected: what });

const messages = [{ role: 'user', content: 'Tell me about foxes.' }];
const openaiHeaders = { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` };
const anthropicHeaders = {
  'content-type': 'application/json',
  'x-api-key': CLIENT_KEY,
  'anthropic-version': '2023-06-01',
};
/** Longer than any answer takes: a request still open after this is itself a finding. */
const REQUEST_TIMEOUT_MS = 30_000;

function post(ctx: TrafficContext, path: string, body: unknown, anthropic = false, signal?: AbortSignal) {
  return ctx.pool.request({
    method: 'POST',
    path,
    headers: anthropic ? anthropicHeaders : openaiHeaders,
    body: JSON.stringify(body),
    signal: signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}

/** A 200 whose body `check` accepts, else a description of what came instead. */
async function answered(res: Dispatcher.ResponseData, check: (text: string) => boolean): Promise<Outcome> {
  const text = await res.body.text();
  if (res.statusCode !== 200) return unexpected(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
  return check(text) ? OK : unexpected(`unexpected body: ${text.slice(-200)}`);
}

/** An error answer with this status in the route's error format. */
async function refused(res: Dispatcher.ResponseData, statuses: number[], label: string): Promise<Outcome> {
  const text = await res.body.text();
  if (!statuses.includes(res.statusCode))
    return unexpected(`HTTP ${res.statusCode} (wanted ${statuses}): ${text.slice(0, 200)}`);
  return /"error"\s*:\s*\{/.test(text)
    ? expected(`${label} ${res.statusCode}`)
    : unexpected(`error not in format: ${text}`);
}

const endsWith = (tail: string) => (text: string) => text.endsWith(tail);
const DONE = 'data: [DONE]\n\n';

/** Sends a stream request, reads its first chunk, and leaves (the socket is destroyed). */
async function leaveMidStream(ctx: TrafficContext): Promise<Outcome> {
  const leave = new AbortController();
  const res = await post(
    ctx,
    '/v1/chat/completions',
    { model: 'soak-chat', messages, stream: true },
    false,
    leave.signal,
  );
  if (res.statusCode !== 200) return unexpected(`HTTP ${res.statusCode}: ${(await res.body.text()).slice(0, 200)}`);
  const reader = (res.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  await reader.next();
  leave.abort();
  await res.body.text().catch(() => undefined);
  return expected('left mid-stream');
}

/** Sends a request to the deployment that is slow to answer, and leaves before its headers come. */
async function leaveBeforeHeaders(ctx: TrafficContext): Promise<Outcome> {
  try {
    const res = await post(
      ctx,
      '/v1/chat/completions',
      { model: 'soak-slow', messages },
      false,
      AbortSignal.timeout(200),
    );
    return unexpected(`answered before the client left: HTTP ${res.statusCode}`);
  } catch (err) {
    return (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError'
      ? expected('left before headers')
      : unexpected(String(err));
  }
}

const ADMIN_READS = [
  '/api/logs?page_size=20',
  '/api/stats?group_by=model',
  '/api/channels',
  '/api/tokens',
  '/api/stats/latency',
  '/api/auth/self',
];

async function adminRead(ctx: TrafficContext, n: number): Promise<Outcome> {
  const path = ADMIN_READS[n % ADMIN_READS.length]!;
  const res = await ctx.pool.request({
    method: 'GET',
    path,
    headers: { cookie: ctx.cookie },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return answered(res, (text) => text.startsWith('{') || text.startsWith('['));
}

/** A non-stream chat request that must come back whole. */
const completes =
  (model: string) =>
  async (ctx: TrafficContext): Promise<Outcome> =>
    answered(await post(ctx, '/v1/chat/completions', { model, messages }), (t) => t.includes('"finish_reason":"stop"'));

export const TRAFFIC: TrafficKind[] = [
  {
    name: 'chat',
    weight: 4,
    run: completes('soak-chat'),
  },
  {
    name: 'chat stream',
    weight: 4,
    run: async (ctx) =>
      answered(
        await post(ctx, '/v1/chat/completions', {
          model: 'soak-chat',
          messages,
          stream: true,
          stream_options: { include_usage: true },
        }),
        (t) => t.includes('"usage":{') && t.endsWith(DONE),
      ),
  },
  {
    name: 'chat stream (Anthropic upstream)',
    weight: 1,
    run: async (ctx) =>
      answered(
        await post(ctx, '/v1/chat/completions', { model: 'soak-claude', messages, stream: true }),
        endsWith(DONE),
      ),
  },
  {
    name: 'messages',
    weight: 1,
    run: async (ctx) =>
      answered(await post(ctx, '/v1/messages', { model: 'soak-claude', max_tokens: 64, messages }, true), (t) =>
        t.includes('"type":"message"'),
      ),
  },
  {
    name: 'messages stream',
    weight: 1,
    run: async (ctx) =>
      answered(
        await post(ctx, '/v1/messages', { model: 'soak-claude', max_tokens: 64, messages, stream: true }, true),
        endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n'),
      ),
  },
  {
    name: 'embeddings',
    weight: 2,
    run: async (ctx) =>
      answered(await post(ctx, '/v1/embeddings', { model: 'soak-embed', input: ['a fox', 'a dog'] }), (t) =>
        t.includes('"index":1'),
      ),
  },
  {
    name: 'failover after a 500',
    weight: 1,
    run: completes('soak-failover'),
  },
  {
    name: 'upstream 500',
    weight: 1,
    run: async (ctx) =>
      refused(await post(ctx, '/v1/chat/completions', { model: 'soak-500', messages }), [502], 'upstream'),
  },
  {
    name: 'upstream 429',
    weight: 1,
    run: async (ctx) =>
      refused(await post(ctx, '/v1/chat/completions', { model: 'soak-429', messages }), [429, 503], 'upstream'),
  },
  {
    name: 'stream cut by upstream',
    weight: 1,
    run: async (ctx) => {
      const res = await post(ctx, '/v1/chat/completions', { model: 'soak-cut', messages, stream: true });
      const text = await res.body.text();
      if (res.statusCode !== 200) return unexpected(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
      return /data: \{"error":\{[^\n]*\n\ndata: \[DONE\]\n\n$/.test(text)
        ? expected('error event after a cut')
        : unexpected(`cut stream did not end with an error event: ${text.slice(-200)}`);
    },
  },
  { name: 'client leaves mid-stream', weight: 1, run: leaveMidStream },
  { name: 'client leaves before headers', weight: 1, run: leaveBeforeHeaders },
  { name: 'admin API read', weight: 1, run: adminRead },
];

/** The kinds in a fixed interleaved order, each as often as its weight: request n is `schedule[n % length]`. */
export function schedule(kinds: TrafficKind[]): TrafficKind[] {
  const total = kinds.reduce((sum, k) => sum + k.weight, 0);
  const credit = kinds.map(() => 0);
  const order: TrafficKind[] = [];
  for (let i = 0; i < total; i++) {
    // Smooth weighted round-robin (nginx's): spreads each kind evenly over the cycle.
    for (const [k, kind] of kinds.entries()) credit[k]! += kind.weight;
    let best = 0;
    for (let k = 1; k < kinds.length; k++) if (credit[k]! > credit[best]!) best = k;
    credit[best]! -= total;
    order.push(kinds[best]!);
  }
  return order;
}
