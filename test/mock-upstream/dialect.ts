/**
 * How a provider's wire format plugs into the mock upstream: one file per dialect under test/mock-upstream/, listed in
 * dialects.ts. The mock does the rest the same for every dialect: recording, queued and per-key faults, pacing, cuts.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** What one request asks for, as the dialect recognised it from its method and path. */
export interface MockRoute {
  /** e.g. 'chat', 'embeddings', 'models', 'count_tokens', or a login/token endpoint such as 'auth'. */
  endpoint: string;
  /** The model when the path carries it (Gemini, Bedrock, Azure); otherwise the body's `model` is recorded. */
  model?: string;
  /** The request asks for a stream because of its path (Gemini's :streamGenerateContent, Bedrock's converse-stream). */
  stream?: boolean;
}

/** What the dialect knows about the request and the test's wishes when it answers. */
export interface MockExchange {
  route: MockRoute;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The body as text, exactly as received (signatures are computed over it). */
  text: string;
  /** The parsed JSON body ({} when it is not a JSON object). */
  body: Record<string, unknown>;
  /** The credential `key()` found (undefined when none). */
  key: string | undefined;
  /** Recorded model (route's, else body's). */
  model: string | undefined;
  /** Increases per answered request: for ids. */
  seq: number;
  /** The test's override of the reply text (Behaviour.reply). */
  reply?: string;
  /** Split the reply text into this many stream pieces (Behaviour.chunks; default one per word). */
  chunks?: number;
  /** The finish reason the test asked for (Behaviour.finishReason). */
  finishReason?: 'stop' | 'length' | 'content_filter';
  /** The keys the mock accepts (MockOptions.keys); undefined means any. */
  keys: readonly string[] | undefined;
  /** The models the mock knows (MockOptions.models); undefined means any. */
  models: readonly string[] | undefined;
}

/** The dialect's answer: a JSON body, or stream frames already in the dialect's framing (SSE text, binary events, …). */
export type MockAnswer =
  | { status?: number; json: unknown; headers?: Record<string, string> }
  | { stream: (string | Uint8Array)[]; contentType: string; headers?: Record<string, string> };

export interface MockDialect {
  name: string;
  /**
   * The route of a request this dialect serves, or undefined to let other dialects try. Dialects are asked before
   * the built-in OpenAI, Azure and Ollama routes, so one claims a path they share by its headers (Anthropic's
   * `GET /v1/models` has `anthropic-version`).
   */
  route(
    method: string,
    path: string,
    query: Record<string, string>,
    headers: IncomingHttpHeaders,
  ): MockRoute | undefined;
  /** The credential the request presents (for `keys` checks, `FaultFilter.key` and `RecordedRequest.key`). */
  key(headers: IncomingHttpHeaders, query: Record<string, string>): string | undefined;
  /** An error body in this upstream's shape (faults, unknown paths, refusals). */
  errorBody(status: number, message?: string): unknown;
  /** One in-stream error frame, for Behaviour.errorAfterChunks. */
  streamError(message: string): string | Uint8Array;
  /** The answer, or a refusal as a real upstream gives it (bad key, unknown model, bad body) with `status`. */
  answer(ex: MockExchange): MockAnswer;
}
