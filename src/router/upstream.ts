/** Sends upstream calls through one undici Pool per origin (or a proxy agent), mapping transport failures to UpstreamError. */
import { type Dispatcher, Pool, ProxyAgent, Socks5ProxyAgent } from 'undici';
import { GatewayError, UpstreamError } from '../core/errors.ts';
import type { UpstreamCall } from '../providers/types.ts';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

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

export interface SendOptions {
  dispatcher: Dispatcher;
  origin: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Names the upstream in error messages (the provider's name, never its URL with credentials). */
  label: string;
}

export async function send(call: UpstreamCall, opts: SendOptions): Promise<UpstreamResponse> {
  const path = call.url.startsWith(opts.origin)
    ? call.url.slice(opts.origin.length) || '/'
    : new URL(call.url).pathname;
  try {
    const res = await opts.dispatcher.request({
      origin: opts.origin,
      path,
      method: call.method ?? 'POST',
      headers: call.headers,
      body: call.body ?? null,
      signal: opts.signal,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  } catch (err) {
    throw transportError(err, opts);
  }
}

/** Maps an undici or socket failure to the gateway's error (timeouts 504, the rest 502; all retryable). */
export function transportError(err: unknown, opts: Pick<SendOptions, 'label' | 'signal' | 'timeoutMs'>): GatewayError {
  if (err instanceof GatewayError) return err;
  const code = (err as { code?: string }).code ?? '';
  if (opts.signal.aborted) {
    return new UpstreamError('The request was cancelled.', {
      retryable: false,
      kind: 'unavailable',
      status: 499,
      cause: err,
    });
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
