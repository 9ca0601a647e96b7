/**
 * The relay for OpenAI-format endpoints: decode, route, call upstream (pass-through when the provider speaks OpenAI,
 * converters otherwise), and write the answer or stream back, capturing usage on the way.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, UpstreamError } from '../core/errors.ts';
import { foldSystemMessages } from '../core/system-fold.ts';
import type {
  ChatRequest,
  ChatResponse,
  CompletionRequest,
  CompletionResponse,
  EmbeddingRequest,
  EmbeddingResponse,
  StreamEvent,
  Usage,
} from '../core/types.ts';
import { decodeChatRequest, decodeCompletionRequest, decodeEmbeddingRequest } from '../formats/openai-chat/decode.ts';
import {
  encodeChatResponse,
  encodeChatStream,
  encodeCompletionResponse,
  encodeCompletionStream,
  encodeEmbeddingResponse,
  type StreamContext,
  streamErrorEvent,
} from '../formats/openai-chat/encode.ts';
import { findUsage, SseUsageScanner } from '../formats/openai-chat/scan.ts';
import type { Gateway } from '../gateway.ts';
import type { ByteStream, Codec, Endpoint, ProviderDescriptor, UpstreamCall } from '../providers/types.ts';
import type { Deployment } from '../router/deployments.ts';
import type { Lease } from '../router/router.ts';
import { send, transportError } from '../router/upstream.ts';
import { admitRequest, type Client, checkModelAccess } from './auth.ts';
import { responseHeaders } from './headers.ts';
import { SseWriter } from './sse.ts';

interface RelayRequest {
  model: string;
  stream?: boolean;
  includeUsage?: boolean;
  raw?: Record<string, unknown>;
}

interface EndpointSpec<Req extends RelayRequest, Res extends { usage?: Usage }> {
  endpoint: Endpoint;
  idPrefix: string;
  decode(body: unknown): Req;
  codec(descriptor: ProviderDescriptor): Codec<Req, Res> | undefined;
  /** Adapts the request to what this deployment can take (e.g. folds the system role away). */
  prepare(req: Req, deployment: Deployment): Req;
  /** The deployment can take the client's OpenAI body as it is (only the model renamed). */
  passthrough(req: Req, deployment: Deployment): boolean;
  encodeResponse(res: Res, req: Req): Record<string, unknown>;
  encodeStream?(events: AsyncIterable<StreamEvent>, ctx: StreamContext): AsyncIterable<string>;
}

type UpstreamAnswer<Res> =
  | { kind: 'bytes'; body: Buffer }
  | { kind: 'decoded'; res: Res }
  | { kind: 'stream'; passthrough: boolean; first: Uint8Array; rest: AsyncIterator<Uint8Array> };

/** What one relayed request did, for the access log and (later) the usage log. */
interface Outcome {
  status: number;
  usage?: Usage | undefined;
  ttfbMs?: number;
  error?: string;
}

const RETRYABLE_STATUS = new Set([401, 403, 408, 409, 425, 429, 500, 502, 503, 504]);

function retryAfterSeconds(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** An upstream error answer as the gateway's error: what the client sees, and whether another deployment may help. */
async function upstreamFailure(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: ByteStream & { text(): Promise<string> },
  d: Deployment,
): Promise<UpstreamError> {
  const text = await body.text().catch(() => '');
  const message = `Upstream '${d.provider.config.name}' answered ${status}: ${d.provider.descriptor.errorMessage(status, text)}`;
  const retryAfter = retryAfterSeconds(headers['retry-after']);
  // The client's request was fine when upstream refused the gateway's own key or was down: that is a 502, not theirs.
  const clientStatus = status === 429 ? 429 : status === 401 || status === 403 || status >= 500 ? 502 : status;
  return new UpstreamError(message, {
    upstreamStatus: status,
    status: clientStatus,
    retryable: RETRYABLE_STATUS.has(status),
    kind: status === 429 ? 'rate_limited' : 'upstream',
    code: status === 429 ? 'rate_limit_exceeded' : 'upstream_error',
    ...(retryAfter === undefined ? {} : { retryAfter }),
  });
}

/** Upstream body chunks with transport failures mapped to gateway errors. */
async function* guarded(
  first: Uint8Array | undefined,
  rest: AsyncIterator<Uint8Array>,
  label: string,
  signal: AbortSignal,
  timeoutMs: number,
): ByteStream {
  if (first) yield first;
  try {
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield next.value;
    }
  } catch (err) {
    throw transportError(err, { label, signal, timeoutMs });
  }
}

async function* tapUsage(events: AsyncIterable<StreamEvent>, outcome: Outcome): AsyncIterable<StreamEvent> {
  for await (const event of events) {
    if (event.type === 'usage') outcome.usage = event.usage;
    yield event;
  }
}

export function relayHandler<Req extends RelayRequest, Res extends { usage?: Usage }>(
  gw: Gateway,
  spec: EndpointSpec<Req, Res>,
) {
  const attempt = async (req: Req, d: Deployment, signal: AbortSignal): Promise<UpstreamAnswer<Res>> => {
    const descriptor = d.provider.descriptor;
    const passthrough = spec.passthrough(req, d);
    const codec = passthrough ? undefined : spec.codec(descriptor);
    let call: UpstreamCall;
    if (passthrough) call = descriptor.passthrough!.build(spec.endpoint, req.raw!, d.target);
    else if (codec) call = codec.encode(spec.prepare(req, d), d.target);
    else
      throw new UpstreamError(`Provider '${d.provider.config.name}' does not serve ${spec.endpoint}.`, {
        retryable: true,
        status: 400,
      });
    const label = d.provider.config.name;
    const timeoutMs = d.limits.timeoutMs;
    const res = await send(call, {
      dispatcher: d.provider.dispatcher,
      origin: d.provider.origin,
      timeoutMs,
      signal,
      label,
    });
    if (res.status >= 400) throw await upstreamFailure(res.status, res.headers, res.body, d);
    try {
      if (!req.stream) {
        const body = Buffer.from(await res.body.arrayBuffer());
        return passthrough
          ? { kind: 'bytes', body }
          : { kind: 'decoded', res: codec!.decode(body.toString('utf8'), d.target) };
      }
      if (!passthrough && !codec?.decodeStream)
        throw new UpstreamError(`Provider '${label}' cannot stream ${spec.endpoint}.`, {
          retryable: true,
          status: 400,
        });
      // Wait for the first bytes: until then nothing reached the client and another deployment may still be tried.
      const rest = res.body[Symbol.asyncIterator]();
      const first = await rest.next();
      if (first.done)
        throw new UpstreamError(`Upstream '${label}' closed the stream without sending anything.`, { retryable: true });
      return { kind: 'stream', passthrough, first: first.value, rest };
    } catch (err) {
      res.body.destroy();
      throw transportError(err, { label, signal, timeoutMs });
    }
  };

  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const client = request.client;
    const req = spec.decode(request.body);
    checkModelAccess(client, req.model);
    const started = performance.now();
    admitRequest(client, Date.now());
    const model = gw.router.resolve(req.model, spec.endpoint);

    const abort = new AbortController();
    const onClose = (): void => {
      if (!reply.raw.writableFinished) abort.abort();
    };
    reply.raw.once('close', onClose);

    const outcome: Outcome = { status: 200 };
    let lease: Lease | undefined;
    try {
      const routed = await gw.router.run(model, spec.endpoint, (d, signal) => attempt(req, d, signal), abort.signal);
      lease = routed.lease;
      const answer = routed.value;
      const headers = responseHeaders(request.id);
      if (answer.kind === 'bytes') {
        outcome.usage = findUsage(answer.body);
        reply.headers(headers).type('application/json').send(answer.body);
      } else if (answer.kind === 'decoded') {
        outcome.usage = answer.res.usage;
        const wire = spec.encodeResponse(answer.res, req);
        if (!wire.id) wire.id = `${spec.idPrefix}${request.id}`;
        reply.headers(headers).type('application/json').send(JSON.stringify(wire));
      } else {
        reply.hijack();
        const sse = new SseWriter(reply.raw, headers);
        outcome.ttfbMs = performance.now() - started;
        const d = lease.deployment;
        const body = guarded(answer.first, answer.rest, d.provider.config.name, abort.signal, d.limits.timeoutMs);
        if (answer.passthrough) await pipePassthrough(body, sse, req.includeUsage !== true, outcome);
        else {
          const ctx: StreamContext = {
            id: `${spec.idPrefix}${request.id}`,
            created: Math.floor(Date.now() / 1000),
            model: d.target.upstreamModel,
            includeUsage: req.includeUsage === true,
          };
          const events = tapUsage(spec.codec(d.provider.descriptor)!.decodeStream!(body, d.target), outcome);
          for await (const text of spec.encodeStream!(events, ctx)) await sse.write(text);
        }
        sse.end();
      }
    } catch (err) {
      outcome.status = err instanceof GatewayError ? err.status : 500;
      outcome.error = err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      reply.raw.off('close', onClose);
      lease?.release();
      settle(gw, request.id, client, req.model, lease, outcome, started, abort.signal.aborted);
    }
  };
}

/** Forwards an OpenAI-format stream's bytes as they come, reading usage; a cut stream ends with an error event. */
async function pipePassthrough(body: ByteStream, sse: SseWriter, stripUsage: boolean, outcome: Outcome): Promise<void> {
  const scanner = new SseUsageScanner(stripUsage);
  try {
    for await (const chunk of body) {
      const out = scanner.push(chunk as Buffer);
      if (out) await sse.write(out);
      if (!sse.open) return;
    }
    const rest = scanner.flush();
    if (rest) await sse.write(rest);
    if (!scanner.done)
      throw new UpstreamError('Upstream ended the stream before it was complete.', { retryable: false });
  } catch (err) {
    if (sse.open) await sse.write(streamErrorEvent(err));
    outcome.status = err instanceof GatewayError ? err.status : 500;
    outcome.error = err instanceof Error ? err.message : String(err);
  } finally {
    outcome.usage = scanner.usage;
  }
}

/** After the answer: count tokens against the client's tpm and write the access log line. */
function settle(
  gw: Gateway,
  requestId: string,
  client: Client,
  model: string,
  lease: Lease | undefined,
  outcome: Outcome,
  started: number,
  clientGone: boolean,
): void {
  const tokens = outcome.usage?.totalTokens ?? 0;
  if (client.tpm && tokens) client.tpm.add(Date.now(), tokens);
  if (!gw.log.isLevelEnabled('info')) return;
  gw.log.info({
    req: requestId,
    client: client.name,
    model,
    deployment: lease?.deployment.id,
    attempts: lease?.attempts,
    status: clientGone && outcome.status === 200 ? 499 : outcome.status,
    ms: Math.round(performance.now() - started),
    ttfb_ms: outcome.ttfbMs === undefined ? undefined : Math.round(outcome.ttfbMs),
    prompt_tokens: outcome.usage?.promptTokens,
    completion_tokens: outcome.usage?.completionTokens,
    error: outcome.error,
  });
}

const speaksOpenAI = (d: ProviderDescriptor, endpoint: Endpoint): boolean =>
  d.passthrough?.endpoints.includes(endpoint) === true;

export const chatSpec: EndpointSpec<ChatRequest, ChatResponse> = {
  endpoint: 'chat',
  idPrefix: 'chatcmpl-',
  decode: decodeChatRequest,
  codec: (descriptor) => descriptor.chat,
  prepare: (req, d) => (d.target.provider.system_role ? req : { ...req, messages: foldSystemMessages(req.messages) }),
  passthrough: (req, d) =>
    req.raw !== undefined && d.target.provider.system_role && speaksOpenAI(d.provider.descriptor, 'chat'),
  encodeResponse: encodeChatResponse,
  encodeStream: encodeChatStream,
};

export const completionSpec: EndpointSpec<CompletionRequest, CompletionResponse> = {
  endpoint: 'completions',
  idPrefix: 'cmpl-',
  decode: decodeCompletionRequest,
  codec: (descriptor) => descriptor.completions,
  prepare: (req) => req,
  passthrough: (req, d) => req.raw !== undefined && speaksOpenAI(d.provider.descriptor, 'completions'),
  encodeResponse: encodeCompletionResponse,
  encodeStream: encodeCompletionStream,
};

export const embeddingSpec: EndpointSpec<EmbeddingRequest, EmbeddingResponse> = {
  endpoint: 'embeddings',
  idPrefix: 'emb-',
  decode: decodeEmbeddingRequest,
  codec: (descriptor) => descriptor.embeddings,
  prepare: (req) => req,
  passthrough: (req, d) => req.raw !== undefined && speaksOpenAI(d.provider.descriptor, 'embeddings'),
  encodeResponse: encodeEmbeddingResponse,
};
