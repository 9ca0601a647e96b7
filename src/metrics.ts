/** Prometheus metrics of this process (`GET /metrics`), on one registry. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { UpstreamError } from './core/errors.ts';

export const registry = new Registry();

// Event-loop lag (nodejs_eventloop_lag_*), heap, GC, handles, CPU and memory of the process.
collectDefaultMetrics({ register: registry });

/** Seconds, from a cached answer (5 ms) to a long generation (5 min, the default upstream timeout). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];

/** Why a request was refused before it reached an upstream (see README, Operating). */
export const REJECTION_KINDS = [
  'rpm',
  'tpm',
  'relay_per_ip',
  'relay_per_token',
  'api_per_ip',
  'deployment_queue_timeout',
  'insufficient_quota',
] as const;
export type RejectionKind = (typeof REJECTION_KINDS)[number];

/** Usage writers of this process (one per gateway): their queues' length is read when /metrics is scraped. */
const usageQueues = new Set<{ readonly queued: number }>();

/**
 * A counter series counted on the request path: a plain number (a prom-client `inc` hashes and checks its labels
 * every time, ~0.5 µs), added to prom-client's counter when /metrics is read.
 */
interface Tally {
  readonly labels: Record<string, string>;
  pending: number;
}

const tallies = {
  requests: [] as Tally[],
  tokens: [] as Tally[],
  cost: [] as Tally[],
  upstreamRequests: [] as Tally[],
};

/** A counter's `collect`: adds what its tallies counted since the last read. */
function flush(list: Tally[]) {
  return function collect(this: Counter<string>): void {
    for (const t of list) {
      if (t.pending === 0) continue;
      this.inc(t.labels, t.pending);
      t.pending = 0;
    }
  };
}

function tally(list: Tally[], labels: Record<string, string>): Tally {
  const t = { labels, pending: 0 };
  list.push(t);
  return t;
}

export const metrics = {
  redisErrors: new Counter({
    name: 'switchyard_redis_errors_total',
    help: 'Redis commands that failed; the gateway fell back to per-instance state for them',
    labelNames: ['operation'] as const,
    registers: [registry],
  }),
  redisUp: new Gauge({
    name: 'switchyard_redis_up',
    help: '1 while Redis answers, 0 during an outage (limits per instance, quota reserved in the database)',
    registers: [registry],
  }),
  limitFallbacks: new Counter({
    name: 'switchyard_limit_fallbacks_total',
    help: 'Limit and quota checks made by this instance alone because Redis was away',
    labelNames: ['kind'] as const,
    registers: [registry],
  }),
  requests: new Counter({
    name: 'switchyard_requests_total',
    help: 'Relay requests by route pattern, requested model, channel that answered ("" if none) and HTTP status',
    labelNames: ['route', 'model', 'channel', 'status'] as const,
    registers: [registry],
    collect: flush(tallies.requests),
  }),
  requestDuration: new Histogram({
    name: 'switchyard_request_duration_seconds',
    help: 'Relay requests from the decoded body to the last byte of the answer',
    labelNames: ['route', 'model', 'channel'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  }),
  timeToFirstToken: new Histogram({
    name: 'switchyard_time_to_first_token_seconds',
    help: "Streamed relay requests from the decoded body to the upstream's first bytes",
    labelNames: ['route', 'model', 'channel'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  }),
  tokens: new Counter({
    name: 'switchyard_tokens_total',
    help: 'Tokens billed by model and channel; kind: prompt, completion, cached (of prompt)',
    labelNames: ['model', 'channel', 'kind'] as const,
    registers: [registry],
    collect: flush(tallies.tokens),
  }),
  cost: new Counter({
    name: 'switchyard_cost_usd_total',
    help: 'What requests were billed, in USD, by model and channel ("" for a virtual model billed at its own price)',
    labelNames: ['model', 'channel'] as const,
    registers: [registry],
    collect: flush(tallies.cost),
  }),
  upstreamRequests: new Counter({
    name: 'switchyard_upstream_requests_total',
    help: "Calls sent to a channel's upstream (every attempt, virtual models' calls and count_tokens included)",
    labelNames: ['channel'] as const,
    registers: [registry],
    collect: flush(tallies.upstreamRequests),
  }),
  upstreamErrors: new Counter({
    name: 'switchyard_upstream_errors_total',
    help: 'Failed upstream attempts and streams cut after their first byte, by channel and reason',
    labelNames: ['channel', 'reason'] as const,
    registers: [registry],
  }),
  upstreamRetries: new Counter({
    name: 'switchyard_upstream_retries_total',
    help: 'Requests tried on another deployment after one of this channel failed, by the reason it failed',
    labelNames: ['channel', 'reason'] as const,
    registers: [registry],
  }),
  limitRejections: new Counter({
    name: 'switchyard_limit_rejections_total',
    help: 'Requests refused by a rate limit or for lack of quota, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  }),
  openStreams: new Gauge({
    name: 'switchyard_open_streams',
    help: 'Streamed answers being written to clients now',
    registers: [registry],
  }),
  usageQueue: new Gauge({
    name: 'switchyard_usage_log_queue',
    help: 'Usage logs queued in this process, not yet written to the database',
    registers: [registry],
    collect() {
      let queued = 0;
      for (const writer of usageQueues) queued += writer.queued;
      this.set(queued);
    },
  }),
};

/** Every rejection kind, bound once (and shown at 0 before the first). */
export const rejected = Object.fromEntries(
  REJECTION_KINDS.map((kind) => [kind, metrics.limitRejections.labels(kind)]),
) as Record<RejectionKind, Counter.Internal>;

/** Counts a usage writer's queue in `switchyard_usage_log_queue` until the returned function is called. */
export function watchUsageQueue(writer: { readonly queued: number }): () => void {
  usageQueues.add(writer);
  return () => usageQueues.delete(writer);
}

/** The label of a requested model that no route, alias or virtual model knows: the label set stays bounded. */
export const UNKNOWN_MODEL = '(unknown)';

/** One (route, model, channel)'s request series, bound once. */
type RequestLabels = 'route' | 'model' | 'channel';

interface RequestSeries {
  duration: Histogram.Internal<RequestLabels>;
  ttft: Histogram.Internal<RequestLabels>;
  statuses: Map<number, Tally>;
  route: string;
  model: string;
  channel: string;
}

const requestSeries = new Map<string, RequestSeries>();

function seriesOf(route: string, model: string, channel: string, known: (model: string) => boolean): RequestSeries {
  const key = `${route}\n${model}\n${channel}`;
  let series = requestSeries.get(key);
  if (series) return series;
  // A name nothing serves is any string a client sent: counted under one label, never cached by its own name.
  if (!known(model)) return seriesOf(route, UNKNOWN_MODEL, channel, () => true);
  series = {
    duration: metrics.requestDuration.labels(route, model, channel),
    ttft: metrics.timeToFirstToken.labels(route, model, channel),
    statuses: new Map(),
    route,
    model,
    channel,
  };
  requestSeries.set(key, series);
  return series;
}

/** What one relayed request adds to the metrics, when it is settled. */
export interface RequestObservation {
  route: string;
  model: string;
  /** The channel that answered; '' when none did. */
  channel: string;
  status: number;
  seconds: number;
  /** Streams only. */
  ttftSeconds?: number | undefined;
}

/** Records a settled relay request; `known` says whether a model name is served (checked once per new name). */
export function observeRequest(o: RequestObservation, known: (model: string) => boolean): void {
  const series = seriesOf(o.route, o.model, o.channel, known);
  let count = series.statuses.get(o.status);
  if (!count) {
    const { route, model, channel } = series;
    count = tally(tallies.requests, { route, model, channel, status: String(o.status) });
    series.statuses.set(o.status, count);
  }
  count.pending++;
  series.duration.observe(o.seconds);
  if (o.ttftSeconds !== undefined) series.ttft.observe(o.ttftSeconds);
}

/** A request refused before the relay handler ran (bad key, per-IP limit, malformed body): no model known yet. */
export function observeRefusal(route: string, status: number): void {
  metrics.requests.inc({ route, model: '', channel: '', status: String(status) });
}

interface UsageSeries {
  prompt: Tally;
  completion: Tally;
  cached: Tally;
  cost: Tally;
}

const usageSeries = new Map<string, UsageSeries>();

/** Records what a request (or a virtual model's call) was billed: tokens where an upstream spent them, and cost. */
export function observeUsage(
  model: string,
  channel: string | null,
  tokens: { prompt_tokens: number; completion_tokens: number; cached_tokens: number },
  usd: number,
): void {
  // Only a real upstream call spends tokens (a virtual model's own request sums its calls'); refusals bill nothing.
  if (channel === null && usd === 0) return;
  const key = `${model}\n${channel ?? ''}`;
  let series = usageSeries.get(key);
  if (!series) {
    const ch = channel ?? '';
    series = {
      prompt: tally(tallies.tokens, { model, channel: ch, kind: 'prompt' }),
      completion: tally(tallies.tokens, { model, channel: ch, kind: 'completion' }),
      cached: tally(tallies.tokens, { model, channel: ch, kind: 'cached' }),
      cost: tally(tallies.cost, { model, channel: ch }),
    };
    usageSeries.set(key, series);
  }
  if (channel !== null) {
    series.prompt.pending += tokens.prompt_tokens;
    series.completion.pending += tokens.completion_tokens;
    series.cached.pending += tokens.cached_tokens;
  }
  if (usd > 0) series.cost.pending += usd;
}

const upstreamCalls = new Map<string, Tally>();

/** Counts one call sent to a channel's upstream. */
export function observeUpstreamCall(channel: string): void {
  let count = upstreamCalls.get(channel);
  if (!count) {
    count = tally(tallies.upstreamRequests, { channel });
    upstreamCalls.set(channel, count);
  }
  count.pending++;
}

/** Socket errors before the request was sent: the upstream could not be reached at all. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT',
]);
/** The connection dropped under a request. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/**
 * Why an upstream attempt failed, as a bounded label: `timeout`, `connect`, `reset`, `transport` (another socket
 * error), `status_<code>` (an error answer, e.g. status_429), `malformed` (an answer that could not be used: not
 * JSON, cut short, an error inside the stream), `unsupported` (the deployment cannot serve the request), or
 * `cancelled` (the client went away: not the upstream's fault, not counted).
 */
export function failureReason(err: UpstreamError): string {
  if (err.status === 499) return 'cancelled';
  if (err.kind === 'timeout') return 'timeout';
  if (err.upstreamStatus !== null) return `status_${err.upstreamStatus}`;
  const cause = err.cause as { code?: unknown; cause?: { code?: unknown } } | undefined;
  if (cause) {
    const code = typeof cause.code === 'string' ? cause.code : cause.cause?.code;
    if (typeof code === 'string' && CONNECT_CODES.has(code)) return 'connect';
    if (typeof code === 'string' && RESET_CODES.has(code)) return 'reset';
    return 'transport';
  }
  return err.status < 500 ? 'unsupported' : 'malformed';
}

/** Counts an upstream failure of a channel; returns its reason (undefined when it is not the upstream's). */
export function observeUpstreamFailure(channel: string, err: unknown): string | undefined {
  if (!(err instanceof UpstreamError)) return undefined;
  const reason = failureReason(err);
  if (reason === 'cancelled') return undefined;
  metrics.upstreamErrors.inc({ channel, reason });
  return reason;
}

/** Counts a retry on another deployment after a failure of this channel. */
export function observeRetry(channel: string, err: UpstreamError): void {
  metrics.upstreamRetries.inc({ channel, reason: failureReason(err) });
}
