/**
 * The OpenTelemetry side of tracing (loaded only when tracing is on): a tracer provider of this gateway's own (not
 * registered globally), a batch span processor and an OTLP/HTTP exporter, and the spans of relay requests with the
 * GenAI semantic-convention attributes.
 */
import { readFileSync } from 'node:fs';
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, parseKeyPairsIntoRecord, parseTraceParent } from '@opentelemetry/core';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { UpstreamError } from './core/errors.ts';
import type { Logger } from './log.ts';
import { failureReason } from './metrics.ts';
import type { Endpoint } from './providers/types.ts';
import type { Deployment } from './router/deployments.ts';
import type { Attempt } from './router/router.ts';
import type { AttemptSpan, RequestTrace, TracedRequest, TraceOutcome, Tracing, TracingSettings } from './tracing.ts';

/** gen_ai.operation.name of each relay endpoint. */
const OPERATIONS: Record<Endpoint, string> = { chat: 'chat', completions: 'text_completion', embeddings: 'embeddings' };

/** gen_ai.provider.name where the conventions name the provider; other provider types go as they are. */
const PROVIDER_NAMES: Record<string, string> = {
  azure: 'azure.ai.openai',
  bedrock: 'aws.bedrock',
  gemini: 'gcp.gemini',
  vertex: 'gcp.vertex_ai',
  mistral: 'mistral_ai',
  xai: 'x_ai',
};

/** Span attributes of the upstream a deployment calls (made once per deployment). */
const upstreamAttributes = new WeakMap<Deployment, Attributes>();

function attributesOf(d: Deployment): Attributes {
  let attributes = upstreamAttributes.get(d);
  if (attributes) return attributes;
  const provider = PROVIDER_NAMES[d.provider.descriptor.type] ?? d.provider.descriptor.type;
  const origin = new URL(d.provider.origin);
  attributes = {
    'gen_ai.provider.name': provider,
    // The name before gen_ai.provider.name, for backends on older conventions.
    'gen_ai.system': provider,
    'gen_ai.request.model': d.target.upstreamModel,
    'server.address': origin.hostname,
    'server.port': Number(origin.port) || (origin.protocol === 'https:' ? 443 : 80),
    'switchyard.channel': d.provider.config.name,
    'switchyard.deployment': d.id,
  };
  upstreamAttributes.set(d, attributes);
  return attributes;
}

/** error.type of a failed attempt: the upstream's status code, or what went wrong on the way. */
function errorType(err: unknown): string {
  if (!(err instanceof UpstreamError)) return err instanceof Error ? err.name : 'error';
  const reason = failureReason(err);
  return reason.startsWith('status_') ? reason.slice('status_'.length) : reason;
}

function recordOutcome(span: Span, outcome: TraceOutcome, responseModel: string | undefined): void {
  const { usage } = outcome;
  if (responseModel !== undefined) span.setAttribute('gen_ai.response.model', responseModel);
  if (usage) {
    span.setAttribute('gen_ai.usage.input_tokens', usage.promptTokens);
    span.setAttribute('gen_ai.usage.output_tokens', usage.completionTokens);
  }
  if (outcome.finishReason !== undefined) span.setAttribute('gen_ai.response.finish_reasons', [outcome.finishReason]);
}

class OtlpAttemptSpan implements AttemptSpan {
  private ended = false;
  private readonly span: Span;
  private readonly deployment: Deployment;

  constructor(span: Span, deployment: Deployment) {
    this.span = span;
    this.deployment = deployment;
  }

  end(outcome: TraceOutcome): void {
    if (this.ended) return;
    recordOutcome(this.span, outcome, this.deployment.target.upstreamModel);
    if (outcome.failure !== undefined) this.fail(outcome.failure);
    else {
      this.ended = true;
      this.span.end();
    }
  }

  fail(err: unknown): void {
    this.ended = true;
    const type = errorType(err);
    if (err instanceof UpstreamError && err.upstreamStatus !== null) {
      this.span.setAttribute('http.response.status_code', err.upstreamStatus);
    }
    this.span.setAttribute('error.type', type);
    const message = err instanceof Error ? err.message : String(err);
    this.span.setStatus({ code: type === 'cancelled' ? SpanStatusCode.UNSET : SpanStatusCode.ERROR, message });
    this.span.end();
  }
}

class OtlpRequestTrace implements RequestTrace {
  private readonly span: Span;
  private readonly context: Context;
  /** The span of the attempt that answered, when this request ends it. */
  private answered: OtlpAttemptSpan | undefined;
  private readonly operation: string;
  private readonly requestAttributes: Attributes;
  private readonly tracer: Tracer;

  constructor(tracer: Tracer, req: TracedRequest) {
    this.tracer = tracer;
    this.operation = OPERATIONS[req.endpoint];
    this.requestAttributes = { 'gen_ai.operation.name': this.operation };
    if (req.maxTokens !== undefined) this.requestAttributes['gen_ai.request.max_tokens'] = req.maxTokens;
    if (req.temperature !== undefined) this.requestAttributes['gen_ai.request.temperature'] = req.temperature;
    const remote = req.traceparent ? parseTraceParent(req.traceparent) : null;
    const parent = remote ? trace.setSpanContext(ROOT_CONTEXT, { ...remote, isRemote: true }) : ROOT_CONTEXT;
    this.span = tracer.startSpan(
      `${this.operation} ${req.model}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          ...this.requestAttributes,
          'gen_ai.request.model': req.model,
          'http.request.method': 'POST',
          'http.route': req.route,
          'switchyard.request_id': req.requestId,
        },
      },
      parent,
    );
    this.context = trace.setSpan(ROOT_CONTEXT, this.span);
  }

  traced<T>(attempt: Attempt<T>, answered?: (span: AttemptSpan) => void): Attempt<T> {
    return async (d) => {
      const span = new OtlpAttemptSpan(
        this.tracer.startSpan(
          `${this.operation} ${d.target.upstreamModel}`,
          { kind: SpanKind.CLIENT, attributes: { ...attributesOf(d), ...this.requestAttributes } },
          this.context,
        ),
        d,
      );
      let value: T;
      try {
        value = await attempt(d);
      } catch (err) {
        span.fail(err);
        throw err;
      }
      if (answered) answered(span);
      else this.answered = span;
      return value;
    };
  }

  end(outcome: TraceOutcome): void {
    this.answered?.end(outcome);
    const { span } = this;
    const d = outcome.deployment;
    if (d) {
      const provider = attributesOf(d)['gen_ai.provider.name'] as string;
      span.setAttribute('gen_ai.provider.name', provider);
      span.setAttribute('gen_ai.system', provider);
      span.setAttribute('switchyard.channel', d.provider.config.name);
    }
    recordOutcome(span, outcome, d?.target.upstreamModel);
    span.setAttribute('http.response.status_code', outcome.status);
    // A server span is in error for 5xx only: 4xx were the client's (HTTP conventions).
    if (outcome.status >= 500) {
      span.setAttribute('error.type', String(outcome.status));
      span.setStatus({ code: SpanStatusCode.ERROR, ...(outcome.error ? { message: outcome.error } : {}) });
    }
    span.end();
  }
}

function samplerOf(settings: TracingSettings, log: Logger): Sampler {
  const ratio = Number(settings.samplerArg ?? '1');
  const fraction = Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 1;
  switch (settings.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(fraction);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(fraction) });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    default:
      log.warn(`OTEL_TRACES_SAMPLER=${settings.sampler} is not supported: sampling every trace`);
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function readFile(path: string | undefined, log: Logger): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    log.warn(
      { file: path, err: (err as Error).message },
      'tracing: cannot read a TLS file named by OTEL_EXPORTER_OTLP_*',
    );
    return undefined;
  }
}

/** How often at most a failed export is logged. */
const EXPORT_FAILURE_LOG_MS = 60_000;

/** Logs failed exports (at most once a minute): the SDK alone would report them to no one. */
function reporting(exporter: SpanExporter, log: Logger): SpanExporter {
  let loggedAt = 0;
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS && Date.now() - loggedAt > EXPORT_FAILURE_LOG_MS) {
          loggedAt = Date.now();
          log.warn({ spans: spans.length, err: result.error?.message }, 'tracing: exporting spans failed');
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}

export async function openTracing(settings: TracingSettings, log: Logger): Promise<Tracing> {
  const headers = Object.assign({}, ...settings.headers.map((h) => parseKeyPairsIntoRecord(h))) as Record<
    string,
    string
  >;
  const tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  const ca = readFile(settings.certificate, log);
  if (ca) tls.ca = ca;
  const cert = readFile(settings.clientCertificate, log);
  if (cert) tls.cert = cert;
  const key = readFile(settings.clientKey, log);
  if (key) tls.key = key;
  const { OTLPTraceExporter } =
    settings.protocol === 'http/json'
      ? await import('@opentelemetry/exporter-trace-otlp-http')
      : await import('@opentelemetry/exporter-trace-otlp-proto');
  const config: NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]> = { url: settings.url };
  if (Object.keys(headers).length) config.headers = headers;
  if (settings.timeoutMs !== undefined) config.timeoutMillis = settings.timeoutMs;
  // The enum's values are these strings.
  if (settings.compression !== undefined)
    config.compression = settings.compression as NonNullable<typeof config.compression>;
  if (Object.keys(tls).length) config.httpAgentOptions = { keepAlive: true, ...tls };
  const exporter = new OTLPTraceExporter(config);
  const resource = defaultResource().merge(
    resourceFromAttributes({
      'service.name': 'switchyard',
      ...(settings.resourceAttributes ? parseKeyPairsIntoRecord(settings.resourceAttributes) : {}),
      ...(settings.serviceName === undefined ? {} : { 'service.name': settings.serviceName }),
    }),
  );
  const provider = new TracerProvider({
    resource,
    sampler: samplerOf(settings, log),
    spanProcessors: [new BatchSpanProcessor({ exporter: reporting(exporter, log), ...settings.batch })],
  });
  const tracer = provider.getTracer('switchyard');
  return {
    request: (req) => new OtlpRequestTrace(tracer, req),
    shutdown: () => provider.shutdown(),
  };
}
