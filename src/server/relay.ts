/**
 * The relay for OpenAI-format endpoints: decode, route, call upstream (pass-through when the provider speaks OpenAI,
 * converters otherwise), and write the answer or stream back, capturing usage on the way.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerText, CUT_STREAM_KEEP_BYTES, streamedText } from '../billing/cut-stream.ts';
import type { Hold } from '../billing/meter.ts';
import { Cancellation } from '../core/cancellation.ts';
import { GatewayError, InvalidRequest, QuotaExceeded, UpstreamError } from '../core/errors.ts';
import type { ChatRequest, StreamEvent, Usage } from '../core/types.ts';
import { findUsage, SseUsageScanner } from '../formats/openai-chat/scan.ts';
import { countedUsage, estimatePromptTokens } from '../formats/token-count.ts';
import type { AnswerContext, InboundRequest, ReasoningFormat } from '../formats/types.ts';
import type { Gateway } from '../gateway.ts';
import { logAccess } from '../log.ts';
import { metrics, observeRequest, observeUpstreamFailure, rejected } from '../metrics.ts';
import type { Codec, Endpoint, ProviderDescriptor, StreamScanner, UpstreamCall } from '../providers/types.ts';
import type { Deployment } from '../router/deployments.ts';
import type { Lease } from '../router/router.ts';
import type { UpstreamBody } from '../router/upstream.ts';
import { callUpstream, upstreamFailure } from '../router/upstream-call.ts';
import type { RequestTrace } from '../tracing.ts';
import { admitRequest, type Client, checkModelAccess, countTokens, ownerOf } from './auth.ts';
import { capped, decodedText, promptOf } from './content-log.ts';
import { responseHeaders } from './headers.ts';
import { SseWriter } from './sse.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The relay handler settled this request (and counted it in the metrics); see buildApp's decorateRequest. */
    relayed: boolean;
  }
}

interface RelayRequest {
  model: string;
  stream?: boolean;
  includeUsage?: boolean;
  raw?: Record<string, unknown>;
}

/** Per-request switches from the URL, headers and the client's defaults. */
export interface Switches {
  /** `?thinking=true` (or `x-thinking: true`): turn the model's thinking on. */
  thinking: boolean;
  reasoningFormat: ReasoningFormat;
}

/** One relay endpoint in one inbound format: how its requests decode and its answers encode. */
export interface EndpointSpec<Req extends RelayRequest, Res extends { usage?: Usage }> {
  endpoint: Endpoint;
  decode(input: InboundRequest, switches: Switches): Req | Promise<Req>;
  codec(descriptor: ProviderDescriptor): Codec<Req, Res> | undefined;
  /** Adapts the request to what this deployment can take (e.g. folds the system role away). */
  prepare(req: Req, deployment: Deployment): Req;
  /** The deployment can take the client's OpenAI body as it is (only the model renamed). */
  passthrough(req: Req, deployment: Deployment, switches: Switches): boolean;
  /** The client's body in another format the deployment speaks natively (Anthropic to Anthropic), to forward as is. */
  native?(req: Req, deployment: Deployment, switches: Switches): NonNullable<ChatRequest['native']> | undefined;
  encodeResponse(res: Res, ctx: AnswerContext<Req>): Record<string, unknown> | Promise<Record<string, unknown>>;
  encodeStream?(events: AsyncIterable<StreamEvent>, ctx: AnswerContext<Req>): AsyncIterable<string>;
  /** The SSE text that ends a started stream with an error. */
  streamError(err: unknown): string;
  /** See ChatFormat.streamClosing. */
  streamClosing?: string;
}

/** How an answer's bytes pass through untouched: the provider's usage readers for its own format. */
interface PassThrough {
  scanner(): StreamScanner;
  usage(body: Buffer): Usage | undefined;
}

type UpstreamAnswer<Res> =
  | { kind: 'bytes'; body: Buffer; usage: Usage | undefined }
  | { kind: 'decoded'; res: Res }
  | { kind: 'stream'; passThrough: PassThrough | undefined; body: UpstreamBody }
  /** A virtual model's answer, already canonical events. */
  | { kind: 'events'; events: AsyncIterable<StreamEvent> };

/** What one relayed request did, for the access log and the usage log. */
interface Outcome {
  status: number;
  usage?: Usage | undefined;
  ttfbMs?: number;
  error?: string;
  finishReason?: string | undefined;
  /** A started stream failed: what cut it. */
  cut?: unknown;
  /** The generated text, gathered only for a channel with `log_content`. */
  answer?: string | undefined;
}

/**
 * Records the stream's usage; when upstream reported none (Fitten, Coze bots without counts), counts it with the
 * tokenizer from the prompt and what was streamed, and sends it as upstream would have.
 */
async function* tapUsage(
  events: AsyncIterable<StreamEvent>,
  outcome: Outcome,
  req: RelayRequest,
  keepAnswer: boolean,
): AsyncIterable<StreamEvent> {
  let streamed = '';
  let counted = false;
  let answer = '';
  try {
    for await (const event of events) {
      if (event.type === 'usage') outcome.usage = event.usage;
      else if (!outcome.usage && (event.type === 'text' || event.type === 'reasoning')) streamed += event.text;
      else if (!outcome.usage && event.type === 'tool_call_delta') streamed += event.arguments;
      else if (event.type === 'finish') outcome.finishReason = event.reason;
      else if (event.type === 'error') cutBy(outcome, event.error);
      if (keepAnswer) {
        if (event.type === 'text' || event.type === 'reasoning') answer += event.text;
        else if (event.type === 'tool_call_delta') answer += event.arguments;
      }
      yield event;
    }
  } catch (err) {
    cutBy(outcome, err);
    throw err;
  } finally {
    if (keepAnswer) outcome.answer = answer;
    // Also when the stream was cut (client gone, upstream failed): what was generated is billed.
    if (!outcome.usage && 'messages' in req) {
      outcome.usage = countedUsage(req as ChatRequest, streamed);
      counted = true;
    }
  }
  if (counted) yield { type: 'usage', usage: outcome.usage! };
}

/** A started stream failed: the request is logged with the error (its answer was cut short). */
function cutBy(outcome: Outcome, err: unknown): void {
  outcome.cut = err;
  outcome.status = err instanceof GatewayError ? err.status : 500;
  outcome.error = err instanceof Error ? err.message : String(err);
}

/** A decoded answer's usage, counted with the tokenizer when upstream reported none. */
function usageOf(res: { usage?: Usage }, req: RelayRequest): Usage | undefined {
  if (res.usage || !('messages' in req) || !('message' in res)) return res.usage;
  res.usage = countedUsage(req as ChatRequest, decodedText(res) ?? '');
  return res.usage;
}

export function relayHandler<Req extends RelayRequest, Res extends { usage?: Usage }>(
  gw: Gateway,
  spec: EndpointSpec<Req, Res>,
  inputOf: (request: FastifyRequest) => Omit<InboundRequest, 'owner'> = (request) => ({ body: request.body }),
) {
  const attempt = async (
    req: Req,
    d: Deployment,
    cancel: Cancellation,
    switches: Switches,
  ): Promise<UpstreamAnswer<Res>> => {
    const descriptor = d.provider.descriptor;
    const native = spec.native?.(req, d, switches);
    const openai = !native && spec.passthrough(req, d, switches);
    const passThrough: PassThrough | undefined = native
      ? descriptor.native
      : openai
        ? { scanner: () => new SseUsageScanner(req.includeUsage !== true), usage: findUsage }
        : undefined;
    const passthrough = passThrough !== undefined;
    const codec = passthrough ? undefined : spec.codec(descriptor);
    const label = d.provider.config.name;
    let call: UpstreamCall;
    if (native) call = descriptor.native!.build(native.body, native.headers, d.target);
    else if (openai) call = descriptor.passthrough!.build(spec.endpoint, req.raw!, d.target);
    else if (codec) {
      const prepared = gw.images.forProvider(spec.prepare(req, d), descriptor, req, cancel);
      call = codec.encode(prepared instanceof Promise ? await prepared : prepared, d.target);
    } else
      throw new UpstreamError(`Provider '${label}' does not serve ${spec.endpoint}.`, { retryable: true, status: 400 });
    if (req.stream && !passthrough && !codec?.decodeStream) {
      throw new UpstreamError(`Provider '${label}' cannot stream ${spec.endpoint}.`, { retryable: true, status: 400 });
    }
    const res = await callUpstream(gw.upstreams, d, call, cancel);
    if (res.status >= 400) throw await upstreamFailure(res, d);
    const type = req.stream ? (res.header('content-type') ?? '') : '';
    if (type.includes('application/json') || type.includes('text/html')) {
      // Not a stream, and nothing has reached the client yet: fail now, while another deployment can still be tried
      // and the key's health updated. Qianfan and Tencent Cloud answer a failed stream request with an HTTP 200 JSON
      // error (the codec's decode throws the mapped error); an HTML page is a proxy's or a wrong base URL's.
      const text = await res.body.text();
      if (type.includes('html'))
        throw new UpstreamError(`Upstream '${label}' answered a stream request with an HTML page.`, {
          retryable: true,
        });
      spec.codec(descriptor)?.decode(text, d.target);
      throw new UpstreamError(`Upstream '${label}' answered a stream request with one JSON body.`, { retryable: true });
    }
    try {
      if (!req.stream) {
        const body = await res.body.bytes();
        if (passThrough && !isJsonObject(body)) {
          // These bytes would go to the client as they are: an HTML page or an answer cut short is upstream's fault.
          throw new UpstreamError(`Upstream '${label}' returned a body that is not JSON.`, { retryable: true });
        }
        return passThrough
          ? { kind: 'bytes', body, usage: passThrough.usage(body) }
          : { kind: 'decoded', res: codec!.decode(body.toString('utf8'), d.target) };
      }
      // Wait for the first bytes: until then nothing reached the client and another deployment may still be tried.
      if (!(await res.body.started())) {
        throw new UpstreamError(`Upstream '${label}' closed the stream without sending anything.`, { retryable: true });
      }
      return { kind: 'stream', passThrough, body: res.body };
    } catch (err) {
      res.body.destroy(err as Error);
      throw err;
    }
  };

  const { tracing } = gw;
  /** Whether a model name is served (for metric labels; asked once per new name). */
  const known = (name: string): boolean => gw.virtual.get(name) !== undefined || gw.router.knows(name);

  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const client = request.client;
    const switches = switchesOf(request, client);
    // Most formats decode synchronously: no await (and no extra microtasks) unless one loads server-side state.
    const decoded = spec.decode({ headers: request.headers, ...inputOf(request), owner: ownerOf(client) }, switches);
    const req = decoded instanceof Promise ? await decoded : decoded;
    const started = performance.now();
    const route = request.routeOptions.url ?? '';
    const served: Served = {
      requestId: request.id,
      ip: request.ip,
      client,
      model: req.model,
      stream: req.stream === true,
      route,
      req,
      known,
      trace: tracing?.request({
        endpoint: spec.endpoint,
        model: req.model,
        route,
        requestId: request.id,
        maxTokens: maxTokensOf(req),
        temperature: (req as { temperature?: number }).temperature,
        traceparent: request.headers.traceparent as string | undefined,
      }),
    };
    const cancel = new Cancellation();
    gw.inFlight.add(cancel);
    const onClose = (): void => {
      if (!reply.raw.writableFinished) cancel.abort();
    };
    const outcome: Outcome = { status: 200 };
    let hold: Hold = { account: client.account, estimate: 0, tokenReserved: 0, userReserved: 0 };
    let lease: Lease | undefined;
    let settled = false;
    /** A virtual model's calls' usage logs being recorded, to wait for with the request's own. */
    const recorded: Promise<void>[] = [];
    /** Bills and logs the request; with Redis, resolves once its usage log is journaled (before the client's last byte). */
    const finish = (): Promise<void> | undefined => {
      settled = true;
      request.relayed = true;
      gw.inFlight.delete(cancel);
      reply.raw.off('close', onClose);
      lease?.release();
      // A request the client left (or shutdown ended) is logged as that, also when its abandoned work then failed
      // (a virtual model whose member calls were all cancelled throws its own 502).
      const status = cancel.aborted ? (cancel.reason?.status ?? 499) : outcome.status;
      // Refused requests (model not allowed, limits, quota) are logged too, at no cost.
      const written = settle(gw, served, hold, lease, { ...outcome, status }, started);
      if (!recorded.length) return written;
      return Promise.all([written, ...recorded]).then(() => undefined);
    };
    try {
      applyDefaultModel(gw, req, spec.endpoint, client.account?.group);
      served.model = req.model;
      checkModelAccess(client, req.model);
      const admitted = admitRequest(client, gw.limiter);
      if (admitted) await admitted;
      const userGroup = client.account?.group;
      const headers = responseHeaders(request.id);
      const virtual = spec.endpoint === 'chat' ? gw.virtual.get(req.model) : undefined;
      let answer: UpstreamAnswer<Res>;
      if (virtual) {
        // Held as every call the virtual model may make; each call is billed (and logged) as it ends.
        const { model, calls } = virtual.estimate;
        const max = maxTokensOf(req);
        const held = gw.meter.hold(
          client.account,
          model,
          () => estimateTokensOf(req) * calls,
          max === undefined ? undefined : max * calls,
        );
        hold = held instanceof Promise ? await held : held;
        reply.raw.once('close', onClose);
        const billCalls = gw.meter.priceOf(req.model) === undefined;
        const call = {
          client,
          cancel,
          requestId: request.id,
          ip: request.ip,
          billCalls,
          recorded,
          trace: served.trace,
        };
        const chat = req as unknown as ChatRequest;
        if (req.stream) {
          const streamed = await virtual.stream(chat, call);
          Object.assign(headers, streamed.headers);
          answer = { kind: 'events', events: streamed.answer };
        } else {
          const completed = await virtual.complete(chat, call);
          Object.assign(headers, completed.headers);
          answer = { kind: 'decoded', res: completed.answer as unknown as Res };
        }
      } else {
        const model = gw.router.resolve(req.model, spec.endpoint, userGroup);
        const held = gw.meter.hold(client.account, req.model, () => estimateTokensOf(req), maxTokensOf(req));
        hold = held instanceof Promise ? await held : held;
        reply.raw.once('close', onClose);
        const run = (d: Deployment): Promise<UpstreamAnswer<Res>> => attempt(req, d, cancel, switches);
        const routed = await gw.router.run(
          model,
          spec.endpoint,
          served.trace ? served.trace.traced(run) : run,
          cancel,
          userGroup,
        );
        lease = routed.lease;
        answer = routed.value;
      }
      const ctx: AnswerContext<Req> = {
        requestId: request.id,
        created: Math.floor(Date.now() / 1000),
        model: lease?.deployment.target.upstreamModel ?? req.model,
        request: req,
        reasoningFormat: switches.reasoningFormat,
        estimatePromptTokens: () => estimateTokensOf(req),
      };
      const keepAnswer = lease?.deployment.provider.config.log_content === true;
      if (answer.kind === 'bytes') {
        outcome.usage = answer.usage;
        if (keepAnswer) outcome.answer = answerText(answer.body);
        const written = finish();
        if (written) await written;
        reply.headers(headers).type('application/json').send(answer.body);
      } else if (answer.kind === 'decoded') {
        outcome.usage = usageOf(answer.res, req);
        outcome.finishReason = (answer.res as { finishReason?: string }).finishReason;
        if (keepAnswer) outcome.answer = decodedText(answer.res);
        const body = JSON.stringify(await spec.encodeResponse(answer.res, ctx));
        const written = finish();
        if (written) await written;
        reply.headers(headers).type('application/json').send(body);
      } else {
        reply.hijack();
        const sse = new SseWriter(reply.raw, headers);
        outcome.ttfbMs = performance.now() - started;
        metrics.openStreams.inc();
        // The closing event goes out once usage is recorded: a client that saw it was billed and logged.
        let closing: string | Buffer | undefined;
        if (answer.kind === 'stream' && answer.passThrough)
          closing = await pipePassthrough(
            answer.body,
            sse,
            answer.passThrough.scanner(),
            outcome,
            spec.streamError,
            req,
            keepAnswer,
          );
        else {
          const decoded =
            answer.kind === 'events'
              ? answer.events
              : spec.codec(lease!.deployment.provider.descriptor)!.decodeStream!(answer.body, lease!.deployment.target);
          const events = tapUsage(decoded, outcome, req, keepAnswer);
          for await (const text of spec.encodeStream!(events, ctx)) {
            if (text === spec.streamClosing) {
              closing = text;
              continue;
            }
            const full = sse.write(text);
            if (full) await full;
          }
        }
        const written = finish();
        if (written) await written;
        sse.end(closing);
      }
    } catch (err) {
      outcome.status = err instanceof GatewayError ? err.status : 500;
      outcome.error = err instanceof Error ? err.message : String(err);
      if (err instanceof QuotaExceeded) rejected.insufficient_quota.inc();
      throw err;
    } finally {
      if (!settled) void finish();
    }
  };
}

/**
 * Forwards a stream's bytes as they come, reading usage; a cut stream ends with an error event in the client's format.
 * Returns the closing event the scanner held back (see StreamScanner.closing), for the caller to send last.
 */
async function pipePassthrough(
  body: UpstreamBody,
  sse: SseWriter,
  scanner: StreamScanner,
  outcome: Outcome,
  streamError: (err: unknown) => string,
  req: RelayRequest,
  keepAnswer: boolean,
): Promise<Buffer | undefined> {
  const resume = (): void => body.resume();
  // What went to the client, kept (by reference) to count tokens if the stream is cut before upstream's usage.
  const forwarded: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  try {
    // Pushed, not pulled: each chunk goes to the socket in the same tick it arrived; a full socket pauses upstream.
    await body.forward((chunk) => {
      if (kept < CUT_STREAM_KEEP_BYTES) {
        forwarded.push(chunk);
        kept += chunk.length;
      } else dropped += chunk.length;
      const out = scanner.push(chunk);
      if (!out || sse.writeNow(out)) return true;
      sse.onDrain(resume);
      return false;
    });
    // An unterminated last event goes out only after a complete stream: SSE clients drop it anyway, and after a cut
    // the error event must not be glued to half an event (the client could not parse either).
    const rest = scanner.flush();
    if (!scanner.done)
      throw new UpstreamError('Upstream ended the stream before it was complete.', { retryable: false });
    if (rest) sse.writeNow(rest);
    return scanner.closing;
  } catch (err) {
    if (sse.open) sse.writeNow(streamError(err));
    cutBy(outcome, err);
  } finally {
    if (keepAnswer) outcome.answer = streamedText(forwarded);
    outcome.usage = scanner.usage;
    if (!outcome.usage && 'messages' in req) {
      const usage = countedUsage(req as ChatRequest, streamedText(forwarded));
      usage.completionTokens += Math.ceil(dropped / 4);
      usage.totalTokens = usage.promptTokens + usage.completionTokens;
      outcome.usage = usage;
    }
  }
}

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Whether a whole answer is one JSON object: a `{` whose matching bracket is the last byte but whitespace, strings
 * skipped. Checks what pass-through forwards without parsing it: an answer cut short or an HTML page fails.
 */
function isJsonObject(body: Buffer): boolean {
  let i = 0;
  let end = body.length;
  while (i < end && isSpace(body[i])) i++;
  while (end > i && isSpace(body[end - 1])) end--;
  if (body[i] !== 0x7b) return false;
  let depth = 0;
  for (; i < end; i++) {
    const c = body[i];
    if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) return i === end - 1;
    else if (c === 0x22) {
      // To the closing quote (native search: the text of an answer is mostly strings); an odd run of backslashes
      // before a quote escapes it.
      for (;;) {
        const quote = body.indexOf(0x22, i + 1);
        if (quote === -1 || quote >= end) return false;
        let slashes = 0;
        while (body[quote - 1 - slashes] === 0x5c) slashes++;
        i = quote;
        if (slashes % 2 === 0) break;
      }
    }
  }
  return false;
}

/** The request as the usage log, the access log and the metrics name it. */
interface Served {
  requestId: string;
  ip: string;
  client: Client;
  model: string;
  stream: boolean;
  /** The Fastify route pattern. */
  route: string;
  /** The decoded request (its prompt is logged for a channel with `log_content`). */
  req: RelayRequest;
  known: (model: string) => boolean;
  trace: RequestTrace | undefined;
}

/** After the answer: count tokens against the client's tpm, bill the usage, and write the access log line. */
function settle(
  gw: Gateway,
  served: Served,
  hold: Hold,
  lease: Lease | undefined,
  outcome: Outcome,
  started: number,
): Promise<void> | undefined {
  const { client } = served;
  countTokens(client, gw.limiter, outcome.usage?.totalTokens ?? 0);
  const ms = Math.round(performance.now() - started);
  const ttfbMs = outcome.ttfbMs === undefined ? undefined : Math.round(outcome.ttfbMs);
  const deployment = lease?.deployment;
  const channel = deployment?.provider.config.name;
  if (outcome.ttfbMs !== undefined) metrics.openStreams.dec();
  observeRequest(
    {
      route: served.route,
      model: served.model,
      channel: channel ?? '',
      status: outcome.status,
      seconds: ms / 1000,
      ttftSeconds: ttfbMs === undefined ? undefined : ttfbMs / 1000,
    },
    served.known,
  );
  if (outcome.cut !== undefined && channel !== undefined) observeUpstreamFailure(channel, outcome.cut);
  served.trace?.end({
    status: outcome.status,
    usage: outcome.usage,
    finishReason: outcome.finishReason,
    deployment,
    error: outcome.error,
    failure: outcome.cut,
  });
  const { written } = gw.meter.settle(hold, outcome.usage, {
    request_id: served.requestId,
    created_at: Date.now(),
    channel: channel ?? null,
    model: served.model,
    upstream_model: deployment?.target.upstreamModel ?? null,
    prompt_tokens: outcome.usage?.promptTokens ?? 0,
    completion_tokens: outcome.usage?.completionTokens ?? 0,
    cached_tokens: outcome.usage?.cachedTokens ?? 0,
    latency_ms: ms,
    ttft_ms: ttfbMs ?? null,
    stream: served.stream ? 1 : 0,
    status: outcome.status,
    error: outcome.error ?? null,
    ip: served.ip,
  });
  logAccess(gw.log, {
    req: served.requestId,
    client: client.name,
    model: served.model,
    status: outcome.status,
    ms,
    deployment: deployment?.id,
    attempts: lease?.attempts,
    ttfbMs,
    promptTokens: outcome.usage?.promptTokens,
    completionTokens: outcome.usage?.completionTokens,
    error: outcome.error,
    content: deployment?.provider.config.log_content ? contentOf(served.req, outcome) : undefined,
  });
  return written;
}

/** The prompt and answer a channel with `log_content` adds to the request's log line. */
function contentOf(req: RelayRequest, outcome: Outcome): { prompt: unknown; answer: string | undefined } {
  return { prompt: promptOf(req), answer: outcome.answer === undefined ? undefined : capped(outcome.answer) };
}

/** A chat request for a model nothing serves goes to `models.default` when there is one. */
function applyDefaultModel(gw: Gateway, req: RelayRequest, endpoint: Endpoint, group: string | undefined): void {
  const fallback = gw.config.models.default;
  if (!fallback || endpoint !== 'chat' || req.model === fallback || gw.virtual.get(req.model)) return;
  try {
    gw.router.resolve(req.model, endpoint, group);
  } catch {
    req.model = fallback;
  }
}

/** Reads `?reasoning_format=` / `x-reasoning-format` and `?thinking=` / `x-thinking`; a bad value is a 400. */
function switchesOf(request: FastifyRequest, client: Client): Switches {
  const query = request.query as Record<string, unknown> | undefined;
  const header = (name: string): unknown => request.headers[name];
  const asked = query?.reasoning_format ?? header('x-reasoning-format') ?? client.reasoningFormat;
  if (asked !== undefined && !REASONING_FORMATS.includes(asked as ReasoningFormat)) {
    throw new InvalidRequest(
      `Invalid reasoning_format '${String(asked)}': use one of ${REASONING_FORMATS.join(', ')}.`,
      { param: 'reasoning_format' },
    );
  }
  const thinking = query?.thinking ?? header('x-thinking');
  if (thinking !== undefined && thinking !== 'true' && thinking !== 'false') {
    throw new InvalidRequest(`Invalid thinking '${String(thinking)}': use true or false.`, { param: 'thinking' });
  }
  return {
    thinking: thinking === 'true',
    reasoningFormat: (asked as ReasoningFormat | undefined) ?? 'reasoning_content',
  };
}

const REASONING_FORMATS: readonly ReasoningFormat[] = ['reasoning_content', 'reasoning', 'thinking'];

function estimateTokensOf(req: RelayRequest): number {
  return 'messages' in req ? estimatePromptTokens(req as ChatRequest) : 0;
}

function maxTokensOf(req: RelayRequest): number | undefined {
  return 'maxTokens' in req ? (req as ChatRequest).maxTokens : undefined;
}
