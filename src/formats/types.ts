/** The contract every inbound chat format (OpenAI Chat, Anthropic Messages, OpenAI Responses, Gemini) gives the relay. */
import type { GatewayError } from '../core/errors.ts';
import type { ChatRequest, ChatResponse, StreamEvent } from '../core/types.ts';

/** Where reasoning text goes in OpenAI-format answers: a `reasoning_content` field, a `reasoning` field, or `<think>` tags. */
export type ReasoningFormat = 'reasoning_content' | 'reasoning' | 'thinking';

/** What a route hands the decoder: the parsed JSON body and what the URL says. */
export interface InboundRequest {
  body: unknown;
  /** Who is asking (the client key's name; a token id once tokens live in the database): scopes server-side state. */
  owner: string;
  /** The request's headers (lower-case names), for formats that forward some of them (Anthropic's `anthropic-beta`). */
  headers?: Record<string, string | string[] | undefined>;
  /** The model named by the path (Gemini's `/v1beta/models/{model}:generateContent`). */
  pathModel?: string;
  /** The path asks for a stream (Gemini's `:streamGenerateContent`). */
  pathStream?: boolean;
}

/** Everything an encoder needs beyond the canonical answer. */
export interface AnswerContext<Req = ChatRequest> {
  /** The gateway's request id; formats prefix it as their ids look (`chatcmpl-…`, `msg_…`, `resp_…`). */
  requestId: string;
  /** Unix seconds. */
  created: number;
  /** The model that answered, as upstream named it. */
  model: string;
  /** The decoded request (for echoes such as the Responses API's `instructions` and `tools`). */
  request: Req;
  reasoningFormat: ReasoningFormat;
  /**
   * An estimate of the prompt's tokens (counted with a tokenizer, on first call only), for formats that report input
   * usage before the answer arrives (Anthropic's `message_start`).
   */
  estimatePromptTokens(): number;
}

export interface ChatFormat {
  /** e.g. 'openai-chat', 'anthropic', 'openai-responses', 'gemini'. */
  name: string;
  /** Validates the body (400 naming the field) and returns the canonical request; may load server-side state. */
  decodeRequest(input: InboundRequest): ChatRequest | Promise<ChatRequest>;
  encodeResponse(res: ChatResponse, ctx: AnswerContext): Record<string, unknown>;
  /** Runs after `encodeResponse`, before the answer is sent (the Responses API stores it for `previous_response_id`). */
  afterResponse?(res: ChatResponse, encoded: Record<string, unknown>, ctx: AnswerContext): Promise<void>;
  /** Canonical events -> this format's SSE text; an `error` event (or a throw) ends it with this format's error event. */
  encodeStream(events: AsyncIterable<StreamEvent>, ctx: AnswerContext): AsyncIterable<string>;
  /** An error answer before any byte was sent: status and body in this format. */
  encodeError(err: GatewayError): { status: number; body: string };
  /** The SSE text that ends a started stream with an error, in this format. */
  streamError(err: unknown): string;
  /**
   * The stream's closing event, exactly as `encodeStream` yields it on its own (`data: [DONE]`, `message_stop`): the
   * relay sends it only once the request's usage is recorded, so a client that saw it was billed and logged.
   */
  streamClosing?: string;
}
