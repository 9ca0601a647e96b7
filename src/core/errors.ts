/** The gateway's error hierarchy: thrown once, mapped to the caller's wire format once (formats/<x>/encodeError). */

export type ErrorKind =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'quota_exceeded'
  | 'rate_limited'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'upstream'
  | 'timeout'
  | 'unavailable'
  | 'internal';

export class GatewayError extends Error {
  readonly status: number;
  readonly kind: ErrorKind;
  /** A short machine-readable code (OpenAI's `error.code`). */
  readonly code: string | null;
  /** The request field at fault, if any (OpenAI's `error.param`). */
  readonly param: string | null;
  /** Seconds the client should wait before trying again (sent as `Retry-After`). */
  readonly retryAfter?: number;

  constructor(
    kind: ErrorKind,
    status: number,
    message: string,
    opts: { code?: string | null; param?: string | null; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.status = status;
    this.code = opts.code ?? null;
    this.param = opts.param ?? null;
    if (opts.retryAfter !== undefined) this.retryAfter = opts.retryAfter;
  }
}

export class InvalidRequest extends GatewayError {
  constructor(message: string, opts: { param?: string; code?: string; status?: number; kind?: ErrorKind } = {}) {
    super(opts.kind ?? 'invalid_request', opts.status ?? 400, message, opts);
  }
}

export class Unauthorized extends GatewayError {
  constructor(message = 'Invalid API key.') {
    super('unauthorized', 401, message, { code: 'invalid_api_key' });
  }
}

export class Forbidden extends GatewayError {
  constructor(message: string, code = 'forbidden') {
    super('forbidden', 403, message, { code });
  }
}

export class ModelNotFound extends GatewayError {
  constructor(model: string) {
    super('not_found', 404, `The model '${model}' does not exist or you do not have access to it.`, {
      code: 'model_not_found',
      param: 'model',
    });
  }
}

export class RateLimited extends GatewayError {
  constructor(message: string, retryAfter?: number) {
    super('rate_limited', 429, message, {
      code: 'rate_limit_exceeded',
      ...(retryAfter === undefined ? {} : { retryAfter }),
    });
  }
}

/** The token's or its user's balance cannot pay for the request (OpenAI answers 429 `insufficient_quota`). */
export class QuotaExceeded extends GatewayError {
  constructor(message: string) {
    super('quota_exceeded', 429, message, { code: 'insufficient_quota' });
  }
}

/** A failure talking to an upstream provider. `retryable` says whether another deployment may be tried. */
export class UpstreamError extends GatewayError {
  readonly upstreamStatus: number | null;
  readonly retryable: boolean;

  constructor(
    message: string,
    opts: {
      upstreamStatus?: number | null;
      status?: number;
      retryable: boolean;
      kind?: 'upstream' | 'timeout' | 'rate_limited' | 'unavailable';
      code?: string;
      retryAfter?: number;
      cause?: unknown;
    },
  ) {
    const kind = opts.kind ?? 'upstream';
    super(kind, opts.status ?? (kind === 'timeout' ? 504 : 502), message, {
      code: opts.code ?? (kind === 'timeout' ? 'upstream_timeout' : 'upstream_error'),
      ...(opts.retryAfter === undefined ? {} : { retryAfter: opts.retryAfter }),
      cause: opts.cause,
    });
    this.upstreamStatus = opts.upstreamStatus ?? null;
    this.retryable = opts.retryable;
  }
}

/** The gateway is shutting down: what a request still running at the shutdown deadline ends with. */
export class ShuttingDown extends GatewayError {
  constructor() {
    super('unavailable', 503, 'The gateway is shutting down: send the request again.', { code: 'shutting_down' });
  }
}

/** An image part whose URL is neither a data: URL nor one that parses (every provider refuses it the same way). */
export function unparsableImageUrl(): InvalidRequest {
  return new InvalidRequest('An image URL is neither a data: URL nor a valid URL.', { param: 'messages' });
}

/** The client went away before its answer was complete: logged with nginx's 499; no one is left to read it. */
export function requestCancelled(cause?: unknown): UpstreamError {
  return new UpstreamError('The request was cancelled.', { retryable: false, kind: 'unavailable', status: 499, cause });
}

/** Anything thrown that is not a GatewayError becomes a 500 whose message reveals nothing internal. */
export function asGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError('internal', 500, 'Internal gateway error.', { code: 'internal_error', cause: err });
}
