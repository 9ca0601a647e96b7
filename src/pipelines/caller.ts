/**
 * Calls a model on behalf of a virtual model, as any client request would be served: resolved, routed, limited and
 * retried by the router, converted by the provider's codec, and billed to the same client with its own usage log
 * naming the client's request (`parent_request_id`). A member may itself be a virtual model.
 */
import type { Hold } from '../billing/meter.ts';
import type { Cancellation } from '../core/cancellation.ts';
import { GatewayError, UpstreamError } from '../core/errors.ts';
import { foldSystemMessages } from '../core/system-fold.ts';
import type { ChatRequest, ChatResponse, StreamEvent, Usage } from '../core/types.ts';
import type { Gateway } from '../gateway.ts';
import { observeUpstreamFailure } from '../metrics.ts';
import type { Deployment } from '../router/deployments.ts';
import type { Attempt } from '../router/router.ts';
import { callUpstream, upstreamFailure } from '../router/upstream-call.ts';
import type { Client } from '../server/auth.ts';
import { newRequestId } from '../server/headers.ts';
import type { AttemptSpan, RequestTrace } from '../tracing.ts';

/** The client request a virtual model serves. */
export interface CallContext {
  client: Client;
  cancel: Cancellation;
  requestId: string;
  ip: string;
  /**
   * Each call is billed at its model's price (a virtual model costs the sum of its parts), unless the virtual model
   * has a price of its own: then the request is billed at that, and its calls are logged at no cost.
   */
  billCalls: boolean;
  /** The calls' usage logs being recorded: the client's answer ends only once they are (see Meter.settle). */
  recorded: Promise<void>[];
  /** The client request's trace (when tracing is on): each call's attempts are spans under it. */
  trace?: RequestTrace | undefined;
}

/** A virtual model's answer, with response headers to add (known before the answer's first byte). */
export interface VirtualAnswer<T> {
  answer: T;
  headers?: Record<string, string>;
}

/** A model served by calling others (pipelines/ensemble.ts, pipelines/reasoning.ts). */
export interface VirtualModel {
  /** What a request is held at before it runs: `calls` times a request to `model`. */
  readonly estimate: { model: string; calls: number };
  complete(req: ChatRequest, ctx: CallContext): Promise<VirtualAnswer<ChatResponse>>;
  stream(req: ChatRequest, ctx: CallContext): Promise<VirtualAnswer<AsyncIterable<StreamEvent>>>;
}

export class ModelCaller {
  private readonly gw: Gateway;
  /** Set once the virtual models are known: a model called may be a virtual model itself. */
  virtual: (name: string) => VirtualModel | undefined = () => undefined;

  constructor(gw: Gateway) {
    this.gw = gw;
  }

  /** The whole answer. */
  async complete(req: ChatRequest, ctx: CallContext): Promise<ChatResponse> {
    const nested = this.virtual(req.model);
    if (nested) return (await nested.complete(req, ctx)).answer;
    const started = performance.now();
    const { value, deployment, span } = await this.route(req, ctx, false);
    const res = value as ChatResponse;
    this.bill(ctx, req, deployment, res.usage, started, 200);
    span?.end({ status: 200, usage: res.usage, finishReason: res.finishReason });
    return res;
  }

  /** The answer as events, billed when they end. */
  async stream(req: ChatRequest, ctx: CallContext): Promise<AsyncIterable<StreamEvent>> {
    const nested = this.virtual(req.model);
    if (nested) return (await nested.stream(req, ctx)).answer;
    const started = performance.now();
    const { value, deployment, span } = await this.route({ ...req, stream: true }, ctx, true);
    const events = value as AsyncIterable<StreamEvent>;
    const bill = this.bill.bind(this);
    const channel = deployment.provider.config.name;
    return (async function* () {
      let usage: Usage | undefined;
      let status = 200;
      let finishReason: string | undefined;
      let failure: unknown;
      try {
        for await (const event of events) {
          if (event.type === 'usage') usage = event.usage;
          else if (event.type === 'finish') finishReason = event.reason;
          else if (event.type === 'error') {
            status = 502;
            failure = event.error;
            observeUpstreamFailure(channel, event.error);
          }
          yield event;
        }
      } catch (err) {
        status = err instanceof GatewayError ? err.status : 500;
        failure = err;
        observeUpstreamFailure(channel, err);
        throw err;
      } finally {
        bill(ctx, req, deployment, usage, started, status);
        span?.end({ status, usage, finishReason, failure });
      }
    })();
  }

  private async route(
    req: ChatRequest,
    ctx: CallContext,
    stream: boolean,
  ): Promise<{ value: ChatResponse | AsyncIterable<StreamEvent>; deployment: Deployment; span?: AttemptSpan }> {
    const { gw } = this;
    const group = ctx.client.account?.group;
    const model = gw.router.resolve(req.model, 'chat', group);
    const attempt: Attempt<ChatResponse | AsyncIterable<StreamEvent>> = async (d) => {
      const codec = d.provider.descriptor.chat;
      const prepared = d.target.provider.system_role ? req : { ...req, messages: foldSystemMessages(req.messages) };
      if (stream && !codec.decodeStream) {
        throw new UpstreamError(`Provider '${d.provider.config.name}' cannot stream chat.`, { retryable: true });
      }
      const withImages = await gw.images.forProvider(prepared, d.provider.descriptor, req, ctx.cancel);
      const res = await callUpstream(gw.upstreams, d, codec.encode(withImages, d.target), ctx.cancel);
      if (res.status >= 400) throw await upstreamFailure(res, d);
      if (!stream) return codec.decode(await res.body.text(), d.target);
      if (!(await res.body.started())) {
        throw new UpstreamError(`Upstream '${d.provider.config.name}' closed the stream without sending anything.`, {
          retryable: true,
        });
      }
      return codec.decodeStream!(res.body, d.target);
    };
    let span: AttemptSpan | undefined;
    const routed = await gw.router.run(
      model,
      'chat',
      ctx.trace
        ? ctx.trace.traced(attempt, (answered) => {
            span = answered;
          })
        : attempt,
      ctx.cancel,
      group,
    );
    // Streams hold their deployment's slot until read to the end: released when billed.
    if (!stream) routed.lease.release();
    else {
      const release = routed.lease.release;
      const events = routed.value as AsyncIterable<StreamEvent>;
      routed.value = (async function* () {
        try {
          yield* events;
        } finally {
          release();
        }
      })();
    }
    return { value: routed.value, deployment: routed.lease.deployment, ...(span ? { span } : {}) };
  }

  /** A usage log of its own for the call, billed to the client, naming the request it was made for. */
  private bill(
    ctx: CallContext,
    req: ChatRequest,
    d: Deployment,
    usage: Usage | undefined,
    started: number,
    status: number,
  ): void {
    const hold: Hold = { account: ctx.client.account, estimate: 0, tokenReserved: 0, userReserved: 0 };
    const { written } = this.gw.meter.settle(hold, ctx.billCalls ? usage : undefined, {
      request_id: newRequestId(),
      parent_request_id: ctx.requestId,
      created_at: Date.now(),
      channel: d.provider.config.name,
      model: req.model,
      upstream_model: d.target.upstreamModel,
      prompt_tokens: usage?.promptTokens ?? 0,
      completion_tokens: usage?.completionTokens ?? 0,
      cached_tokens: usage?.cachedTokens ?? 0,
      latency_ms: Math.round(performance.now() - started),
      ttft_ms: null,
      stream: req.stream ? 1 : 0,
      status,
      error: null,
      ip: ctx.ip,
    });
    if (written) ctx.recorded.push(written);
  }
}
