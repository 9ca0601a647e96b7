/**
 * Sends upstream calls through one undici Pool per origin (or a proxy agent) with a handler of our own: answer bytes
 * are handed over as they arrive (pulled, collected whole, or pushed straight to the client), with no stream objects
 * in between, and transport failures become UpstreamErrors.
 */
import { type Dispatcher, Pool, ProxyAgent, Socks5ProxyAgent } from 'undici';
import type { Cancellation } from '../core/cancellation.ts';
import { type GatewayError, requestCancelled, UpstreamError } from '../core/errors.ts';
import type { UpstreamCall } from '../providers/types.ts';

const POOL_OPTIONS = { connections: 256, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000 } as const;

/** Connection pools, keyed by origin and proxy, made once and reused for every request. */
export class Upstreams {
  private readonly dispatchers = new Map<string, Dispatcher>();

  dispatcher(origin: string, proxy: string | undefined): Dispatcher {
    const id = proxy ? `${origin} via ${proxy}` : origin;
    let d = this.dispatchers.get(id);
    if (!d) {
      d = proxy ? proxyAgent(proxy) : new Pool(origin, POOL_OPTIONS);
      this.dispatchers.set(id, d);
    }
    return d;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.dispatchers.values()].map((d) => d.close()));
    this.dispatchers.clear();
  }
}

function proxyAgent(proxy: string): Dispatcher {
  if (/^socks5h?:/i.test(proxy)) return new Socks5ProxyAgent(proxy.replace(/^socks5h:/i, 'socks5:'));
  return new ProxyAgent({ uri: proxy, ...POOL_OPTIONS });
}

/** Chunks an upstream may get ahead of a slow reader before its socket is paused. */
const HIGH_WATER_CHUNKS = 64;
/** The largest whole answer read where the caller sets none (routing.response_limit's default). */
const RESPONSE_LIMIT = 128 * 1024 * 1024;

/** An upstream answer's body: pulled as an async iterable, collected whole, or forwarded chunk by chunk. */
export class UpstreamBody implements AsyncIterable<Buffer> {
  private queue: Buffer[] = [];
  /** Bytes in `queue`: a whole body is collected only up to `limit`. */
  private queuedBytes = 0;
  private readonly limit: number;
  private done = false;
  private error: GatewayError | undefined;
  private wake: (() => void) | undefined;
  private sink: ((chunk: Buffer) => boolean) | undefined;
  private paused = false;
  /** Collecting the whole body: never pause, however many chunks arrive. */
  private collecting = false;
  /** Set by the transport: resumes a paused socket, aborts the request. */
  resumeUpstream: () => void = () => {};
  abortUpstream: (err: Error) => void = () => {};

  /** `limit`: the most bytes `bytes()` and `text()` collect (streams read on have none). */
  constructor(limit = RESPONSE_LIMIT) {
    this.limit = limit;
  }

  /** Transport side: a chunk arrived; false asks undici to pause the socket. */
  push(chunk: Buffer): boolean {
    if (this.sink) {
      this.paused = !this.sink(chunk);
      return !this.paused;
    }
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (this.collecting && this.queuedBytes > this.limit) {
      this.overflow();
      return false;
    }
    this.notify();
    this.paused = !this.collecting && this.queue.length >= HIGH_WATER_CHUNKS;
    return !this.paused;
  }

  end(err?: GatewayError): void {
    if (this.done) return;
    this.done = true;
    this.error = err;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    if (wake) {
      this.wake = undefined;
      wake();
    }
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /** Resumes a socket paused for back-pressure (after the reader caught up). */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.resumeUpstream();
  }

  /** Stops reading and closes the upstream request. */
  destroy(err: Error): void {
    if (!this.done) this.abortUpstream(err);
    this.end();
  }

  /** Resolves once a first chunk is in (true) or the body ended empty (false); rejects if it failed first. */
  async started(): Promise<boolean> {
    while (this.queue.length === 0 && !this.done) await this.wait();
    if (this.queue.length) return true;
    if (this.error) throw this.error;
    return false;
  }

  /** The whole body (an UpstreamError, and the request closed, when it grows past the limit). */
  async bytes(): Promise<Buffer> {
    this.collecting = true;
    if (this.queuedBytes > this.limit) this.overflow();
    this.resume();
    while (!this.done) await this.wait();
    if (this.error) throw this.error;
    return this.queue.length === 1 ? this.queue[0]! : Buffer.concat(this.queue);
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  /**
   * A whole body past the limit: held in memory to be converted and billed, it must not grow without bound (an
   * upstream that never stops, a wrong base URL serving a file). The bytes go, the request is closed, and it fails.
   */
  private overflow(): void {
    const err = new UpstreamError(`Upstream answer is larger than the gateway accepts (${this.limit} bytes).`, {
      retryable: false,
    });
    this.queue = [];
    this.queuedBytes = 0;
    if (!this.done) this.abortUpstream(err);
    this.done = true;
    this.error = err;
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const chunk = this.queue.shift();
      if (chunk) {
        this.queuedBytes -= chunk.length;
        if (this.paused && this.queue.length < HIGH_WATER_CHUNKS / 2) this.resume();
        yield chunk;
        continue;
      }
      if (this.done) {
        if (this.error) throw this.error;
        return;
      }
      await this.wait();
    }
  }

  /**
   * Hands every chunk to `sink` as it arrives (queued ones first); `sink` returning false pauses the upstream socket
   * until `resume()`. Resolves when the body ends; rejects with the transport's error.
   */
  async forward(sink: (chunk: Buffer) => boolean): Promise<void> {
    for (const chunk of this.queue.splice(0)) sink(chunk);
    this.queuedBytes = 0;
    this.sink = sink;
    while (!this.done) await this.wait();
    if (this.error) throw this.error;
  }
}

export interface UpstreamResponse {
  status: number;
  /** A response header (lower-case name), parsed only when asked for. */
  header(name: string): string | undefined;
  body: UpstreamBody;
}

export interface SendOptions {
  dispatcher: Dispatcher;
  origin: string;
  timeoutMs: number;
  cancel: Cancellation;
  /** Names the upstream in error messages (the provider's name, never its URL or credentials). */
  label: string;
  /** The most bytes a whole answer may have (see UpstreamBody). */
  responseLimit?: number | undefined;
}

function headerOf(raw: Buffer[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === name.length && raw[i]!.toString('latin1').toLowerCase() === name)
      return raw[i + 1]!.toString('latin1');
  }
  return undefined;
}

/** Sends `call`; resolves at the response headers, with the body still arriving. */
export function send(call: UpstreamCall, opts: SendOptions): Promise<UpstreamResponse> {
  const path = call.url.startsWith(opts.origin)
    ? call.url.slice(opts.origin.length) || '/'
    : new URL(call.url).pathname;
  return new Promise((resolve, reject) => {
    const body = new UpstreamBody(opts.responseLimit);
    let started = false;
    let unsubscribe = (): void => {};
    const handler: Dispatcher.DispatchHandler = {
      onConnect(abort) {
        body.abortUpstream = abort;
        if (opts.cancel.aborted) abort(new Error('cancelled'));
        else unsubscribe = opts.cancel.onAbort(() => abort(new Error('cancelled')));
      },
      onHeaders(status, rawHeaders, resume) {
        if (status < 200) return true;
        started = true;
        body.resumeUpstream = resume;
        const raw = rawHeaders as unknown as Buffer[];
        resolve({ status, header: (name) => headerOf(raw, name), body });
        return true;
      },
      onData(chunk) {
        return body.push(chunk);
      },
      onComplete() {
        unsubscribe();
        body.end();
      },
      onError(err) {
        unsubscribe();
        const mapped = transportError(err, opts);
        if (started) body.end(mapped);
        else reject(mapped);
      },
    };
    opts.dispatcher.dispatch(
      {
        origin: opts.origin,
        path,
        method: call.method ?? 'POST',
        headers: call.headers,
        body: call.body ?? null,
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      },
      handler,
    );
  });
}

/** Maps an undici or socket failure to the gateway's error (timeouts 504, the rest 502; all retryable). */
export function transportError(err: unknown, opts: Pick<SendOptions, 'label' | 'cancel' | 'timeoutMs'>): GatewayError {
  if (err instanceof UpstreamError) return err;
  const code = (err as { code?: string }).code ?? '';
  if (opts.cancel.aborted) {
    return opts.cancel.reason ?? requestCancelled(err);
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new UpstreamError(`Upstream '${opts.label}' did not answer within ${opts.timeoutMs} ms.`, {
      retryable: true,
      kind: 'timeout',
      cause: err,
    });
  }
  const what = code ? ` (${code})` : '';
  return new UpstreamError(`Could not reach upstream '${opts.label}'${what}.`, { retryable: true, cause: err });
}
