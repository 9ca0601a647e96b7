/** The contract every provider folder implements: its descriptor, converters to and from the canonical form, and HTTP details. */

import type { ProviderConfig } from '../config/schema.ts';
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

/** One HTTP request to an upstream, fully built: the router sends it through the right connection pool. */
export interface UpstreamCall {
  /** Absolute URL (origin + path + query). */
  url: string;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** Everything a converter needs to address one deployment: where, with which key, under which model name. */
export interface Target {
  /** Base URL without a trailing slash. */
  baseUrl: string;
  /** The credential for this deployment, or undefined for keyless upstreams (local servers). */
  key: string | undefined;
  /** The model name upstream knows. */
  upstreamModel: string;
  provider: ProviderConfig;
  /** `max_tokens` for upstreams that require one when neither the request nor a known model limit gives it. */
  defaultMaxTokens?: number;
}

/** Where and with which key to reach a provider for a call about no one model (its model list). */
export type ProviderTarget = Pick<Target, 'baseUrl' | 'key' | 'provider'>;

/** How to ask an upstream which models it serves, a page at a time. */
export interface ModelListing {
  /** The call for one page: the first without a cursor, each next one with the cursor the page before gave. */
  request(target: ProviderTarget, cursor: string | undefined): UpstreamCall;
  /** The models on a page, named as this provider's requests name them, and the next page's cursor if there is one. */
  parse(body: string): { models: string[]; next?: string | undefined };
}

/** A provider entry's own settings, beyond those every provider has (base_url, keys, models, limits, …). */
export type ProviderSetting = Extract<keyof ProviderConfig, 'api_version' | 'region' | 'account_id' | 'project'>;

/** Upstream body chunks as they arrive. */
export type ByteStream = AsyncIterable<Uint8Array>;

export interface Codec<Req, Res> {
  encode(req: Req, target: Target): UpstreamCall;
  decode(body: string, target: Target): Res;
  /** Upstream stream bytes -> canonical events; ends with a `finish` (and `usage` when upstream reported it). */
  decodeStream?(body: ByteStream, target: Target): AsyncIterable<StreamEvent>;
}

export type Endpoint = 'chat' | 'completions' | 'embeddings';

/**
 * Sends one request an `authorize` step needs (a token exchange) with the deployment's proxy and timeout; whole answer.
 * Its URL may be on another origin than the deployment's: Ark's temporary keys come from open.volcengineapi.com.
 */
export type AuthSend = (call: UpstreamCall) => Promise<{ status: number; body: string }>;

/** Reads usage from a stream whose bytes pass through, and tells a complete stream from a cut one. */
export interface StreamScanner {
  usage: Usage | undefined;
  /** The stream's own end marker was seen. */
  done: boolean;
  /** The bytes to forward now (complete events), or undefined to wait for more. */
  push(chunk: Buffer): Buffer | undefined;
  /** Bytes still held at the end. */
  flush(): Buffer | undefined;
  /** The stream's closing event, held back from `push` for the relay to send once usage is recorded. */
  closing?: Buffer | undefined;
}

export interface ProviderDescriptor {
  type: string;
  /** Used when the provider config gives no base_url. */
  defaultBaseUrl?: string;
  /**
   * The base URL from the provider entry's own fields when it gives no base_url (Cloudflare's account id, a cloud
   * region): the connection pool is per origin, so the origin must be right before any call is built.
   */
  baseUrlFor?(config: ProviderConfig): string | undefined;
  /** A credential is needed when the provider talks to this default base URL. */
  requiresKey: boolean;
  /** What a key looks like, for people filling in a form: `SECRET_ID:SECRET_KEY`, `an Anthropic API key (sk-ant-…)`. */
  keyFormat?: string;
  /** The settings of its own a form should offer for this provider (Azure's `api_version`, Bedrock's `region`, …). */
  settings?: readonly ProviderSetting[];
  /** The upstream can list the models it serves (offered when a channel is made in the admin API). */
  modelList?: ModelListing;
  /**
   * The provider speaks OpenAI's wire format for these endpoints: an OpenAI client's body is forwarded with the
   * model replaced, and the answer's bytes pass through while a scanner reads the usage.
   */
  passthrough?: {
    endpoints: readonly Endpoint[];
    /** Where this upstream puts reasoning in chat answers (default `reasoning_content`, as DeepSeek does). */
    reasoningField?: 'reasoning_content' | 'reasoning';
    build(endpoint: Endpoint, body: Record<string, unknown>, target: Target): UpstreamCall;
  };
  /**
   * The provider speaks a non-OpenAI inbound format natively (Anthropic's): a client of that format has its body
   * forwarded with the model renamed, and the answer's bytes pass through while `scanner`/`usage` read the usage.
   */
  native?: {
    format: string;
    build(body: Record<string, unknown>, headers: Record<string, string>, target: Target): UpstreamCall;
    scanner(): StreamScanner;
    usage(body: Buffer): Usage | undefined;
  };
  /**
   * The provider cannot take this image URL (an http(s) URL) and needs the image's bytes: the gateway fetches it and
   * passes a data: URL (`image_fetch`). Unset: every image URL is passed on as a URL.
   */
  imageBytes?(url: string): boolean;
  chat: Codec<ChatRequest, ChatResponse>;
  completions?: Codec<CompletionRequest, CompletionResponse>;
  embeddings?: Codec<EmbeddingRequest, EmbeddingResponse>;
  /**
   * For credentials that must first be exchanged for a short-lived token: completes a built call (from `encode` or
   * `passthrough.build`) before it is sent. The relay awaits it; `send` makes the exchange request. Throws an
   * UpstreamError as a failed call would (upstreamStatus 401 when upstream refused the credentials).
   */
  authorize?(call: UpstreamCall, target: Target, send: AuthSend): Promise<UpstreamCall>;
  /**
   * Upstream answered 401 to a call `authorize` completed: forgets the token it carried. True when a fresh token may
   * help (the token expired or was revoked, the credential behind it is fine): the relay then authorizes the call once
   * more and sends it again before the 401 counts against the key.
   */
  unauthorized?(call: UpstreamCall, target: Target): boolean;
  /** Extra validation of a provider entry beyond the shared schema: returns problems as (path, message). */
  validate?(config: ProviderConfig): { path: (string | number)[]; message: string }[];
  /**
   * The status an upstream error really means, where the provider says it in the body rather than the status line
   * (Google answers a bad API key with 400 API_KEY_INVALID: a 401 for the key's health). Default: the HTTP status.
   */
  errorStatus?(status: number, body: string): number;
  /** The human message inside an upstream error body (never including credentials). */
  errorMessage(status: number, body: string): string;
}
