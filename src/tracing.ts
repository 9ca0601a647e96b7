/**
 * OpenTelemetry tracing, off unless the standard `OTEL_*` variables ask for OTLP: a server span per relay request and a
 * client span per upstream attempt. While off, nothing here but `startTracing` runs and the SDK is never loaded.
 */
import type { Usage } from './core/types.ts';
import type { Logger } from './log.ts';
import type { Endpoint } from './providers/types.ts';
import type { Deployment } from './router/deployments.ts';
import type { Attempt } from './router/router.ts';

/** The exporter's settings, read from the gateway's environment (not the process's: a test traces one gateway). */
export interface TracingSettings {
  protocol: 'http/protobuf' | 'http/json';
  /** The full traces URL (`…/v1/traces`). */
  url: string;
  /** `OTEL_EXPORTER_OTLP_HEADERS` then `…_TRACES_HEADERS`, raw (`k=v,k2=v2`, percent-encoded). */
  headers: string[];
  timeoutMs: number | undefined;
  compression: 'gzip' | 'none' | undefined;
  /** Files named by `…_CERTIFICATE`, `…_CLIENT_CERTIFICATE`, `…_CLIENT_KEY`. */
  certificate: string | undefined;
  clientCertificate: string | undefined;
  clientKey: string | undefined;
  /** `OTEL_SERVICE_NAME`; else `service.name` of `OTEL_RESOURCE_ATTRIBUTES`, else `switchyard`. */
  serviceName: string | undefined;
  /** `OTEL_RESOURCE_ATTRIBUTES`, raw. */
  resourceAttributes: string | undefined;
  sampler: string;
  samplerArg: string | undefined;
  /** `OTEL_BSP_*`: the batch span processor's schedule. */
  batch: {
    scheduledDelayMillis?: number;
    exportTimeoutMillis?: number;
    maxQueueSize?: number;
    maxExportBatchSize?: number;
  };
}

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function number(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = value(env, name);
  const n = v === undefined ? Number.NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** `OTEL_EXPORTER_OTLP_TRACES_<name>`, else `OTEL_EXPORTER_OTLP_<name>`. */
function otlp(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return value(env, `OTEL_EXPORTER_OTLP_TRACES_${name}`) ?? value(env, `OTEL_EXPORTER_OTLP_${name}`);
}

/**
 * Whether the environment turns tracing on, and how: `OTEL_TRACES_EXPORTER=otlp` or an OTLP endpoint variable,
 * unless `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`. `problem` says why a request for tracing is not
 * honoured (e.g. the grpc protocol).
 */
export function tracingSettings(env: NodeJS.ProcessEnv): { settings?: TracingSettings; problem?: string } {
  if (value(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return {};
  const exporters = (value(env, 'OTEL_TRACES_EXPORTER') ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  const endpoint = value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (exporters.includes('none')) return {};
  if (exporters.length ? !exporters.includes('otlp') : endpoint === undefined) {
    return exporters.length ? { problem: `OTEL_TRACES_EXPORTER=${exporters.join(',')}: only otlp is supported` } : {};
  }
  const protocol = (otlp(env, 'PROTOCOL') ?? 'http/protobuf').toLowerCase();
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    return { problem: `OTLP protocol ${protocol} is not supported: use http/protobuf or http/json` };
  }
  const traces = value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const url = traces ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : 'http://localhost:4318/v1/traces');
  const compression = otlp(env, 'COMPRESSION')?.toLowerCase();
  const batch: TracingSettings['batch'] = {};
  const scheduled = number(env, 'OTEL_BSP_SCHEDULE_DELAY');
  if (scheduled !== undefined) batch.scheduledDelayMillis = scheduled;
  const exportTimeout = number(env, 'OTEL_BSP_EXPORT_TIMEOUT');
  if (exportTimeout !== undefined) batch.exportTimeoutMillis = exportTimeout;
  const queue = number(env, 'OTEL_BSP_MAX_QUEUE_SIZE');
  if (queue !== undefined) batch.maxQueueSize = queue;
  const batchSize = number(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE');
  if (batchSize !== undefined) batch.maxExportBatchSize = batchSize;
  const timeout = otlp(env, 'TIMEOUT');
  return {
    settings: {
      protocol,
      url,
      headers: [value(env, 'OTEL_EXPORTER_OTLP_HEADERS'), value(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS')].filter(
        (h): h is string => h !== undefined,
      ),
      timeoutMs: timeout !== undefined && Number(timeout) > 0 ? Number(timeout) : undefined,
      compression: compression === 'gzip' || compression === 'none' ? compression : undefined,
      certificate: otlp(env, 'CERTIFICATE'),
      clientCertificate: otlp(env, 'CLIENT_CERTIFICATE'),
      clientKey: otlp(env, 'CLIENT_KEY'),
      serviceName: value(env, 'OTEL_SERVICE_NAME'),
      resourceAttributes: value(env, 'OTEL_RESOURCE_ATTRIBUTES'),
      sampler: (value(env, 'OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on').toLowerCase(),
      samplerArg: value(env, 'OTEL_TRACES_SAMPLER_ARG'),
      batch,
    },
  };
}

/** What a relay request is, for its server span. */
export interface TracedRequest {
  endpoint: Endpoint;
  /** The model the client asked for. */
  model: string;
  /** The Fastify route pattern. */
  route: string;
  requestId: string;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  /** The client's W3C `traceparent` header: the server span joins the client's trace. */
  traceparent?: string | undefined;
}

/** How a request or an upstream call ended. */
export interface TraceOutcome {
  status: number;
  usage?: Usage | undefined;
  finishReason?: string | undefined;
  /** The deployment that answered, if one did. */
  deployment?: Deployment | undefined;
  error?: string | undefined;
  /** What cut an answer after its first bytes (the answering attempt failed after all). */
  failure?: unknown;
}

/** The client span of an upstream call that answered: ended by whoever settles that answer. */
export interface AttemptSpan {
  end(outcome: TraceOutcome): void;
}

/** One relay request's trace. */
export interface RequestTrace {
  /**
   * Wraps an attempt so that each runs in a client span under the request's (retries become sibling spans). The span
   * of the attempt that answered is handed to `answered`, or, without it, ended with the request.
   */
  traced<T>(attempt: Attempt<T>, answered?: (span: AttemptSpan) => void): Attempt<T>;
  /** Ends the request's span (and the span of the attempt that answered, when the request owns it). */
  end(outcome: TraceOutcome): void;
}

export interface Tracing {
  request(req: TracedRequest): RequestTrace;
  /** Exports the spans still queued and stops (on gateway close). */
  shutdown(): Promise<void>;
}

/** Starts tracing when the environment asks for it (loading the OpenTelemetry SDK only then); undefined when off. */
export async function startTracing(env: NodeJS.ProcessEnv, log: Logger): Promise<Tracing | undefined> {
  const { settings, problem } = tracingSettings(env);
  if (problem) log.warn(`tracing is off: ${problem}`);
  if (!settings) return undefined;
  try {
    const { openTracing } = await import('./tracing-otlp.ts');
    const tracing = await openTracing(settings, log);
    // The host only: a URL may carry credentials.
    log.info({ host: new URL(settings.url).host, protocol: settings.protocol }, 'tracing: exporting spans over OTLP');
    return tracing;
  } catch (err) {
    // Tracing is never a reason not to serve.
    log.error({ err: (err as Error).message }, 'tracing is off: it could not be started');
    return undefined;
  }
}
