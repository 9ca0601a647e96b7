/** The canonical request, response and stream-event forms every inbound format and provider converts to and from. */

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export type ContentPart =
  | { type: 'text'; text: string }
  /** `url` is an http(s) URL or a `data:` URL carrying base64 bytes. */
  | { type: 'image'; url: string; detail?: 'auto' | 'low' | 'high' }
  | { type: 'audio'; data: string; format: string }
  /** A document (PDF, plain text): base64 `data` with its media type, e.g. Anthropic's document block. */
  | { type: 'file'; data: string; mediaType: string; name?: string };

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text, as the model produced it. */
  arguments: string;
}

export interface Message {
  role: Role;
  /** A plain string for text-only turns; parts when the turn carries images or audio. */
  content: string | ContentPart[];
  name?: string;
  toolCalls?: ToolCall[];
  /** Set on `tool` messages: which call this result answers. */
  toolCallId?: string;
  /** Set on `tool` messages: the tool failed (Anthropic's `is_error`). */
  isError?: boolean;
  reasoning?: string;
  /**
   * Proof that `reasoning` came from the model (Anthropic's thinking `signature`, Gemini's `thoughtSignature`):
   * providers that issued it need it back on the next turn; others ignore it.
   */
  reasoningSignature?: string;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
  strict?: boolean;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema?: Record<string, unknown>; strict?: boolean; description?: string };

/** What chat and legacy completion requests share: streaming and sampling. */
export interface Generation {
  /** The model name the client asked for (before routing). */
  model: string;
  stream: boolean;
  /** The client asked for a usage event at the end of the stream. */
  includeUsage: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
}

export interface ChatRequest extends Generation {
  messages: Message[];
  n?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  user?: string;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  reasoningEffort?: 'minimal' | 'low' | 'medium' | 'high';
  /**
   * Extended thinking asked for (Anthropic `thinking`, Gemini `thinkingConfig`, `?thinking=true`): providers turn on
   * their own thinking switch; `budgetTokens` when the client named a budget.
   */
  thinking?: { budgetTokens?: number };
  topK?: number;
  /**
   * The inbound body as the client sent it, when the inbound format is OpenAI Chat Completions.
   * Providers that speak that format natively forward it (with the model replaced) so nothing is lost.
   */
  raw?: Record<string, unknown>;
  /**
   * The inbound body in another format (Anthropic's), with the client headers worth forwarding (`anthropic-beta`):
   * a provider speaking that same format takes it as it is, so what the canonical form has no slot for (prompt-cache
   * breakpoints, betas) survives.
   */
  native?: { format: string; body: Record<string, unknown>; headers: Record<string, string> };
}

export interface Usage {
  /** Every input token, cached ones included (OpenAI's convention; Anthropic's `input_tokens` excludes the cache). */
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Of `promptTokens`, read from the provider's prompt cache. */
  cachedTokens?: number;
  /** Of `promptTokens`, written to the provider's prompt cache (Anthropic's `cache_creation_input_tokens`). */
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface ChatResponse {
  id: string;
  /** The model that answered, as upstream named it. */
  model: string;
  created: number;
  message: Message;
  finishReason: FinishReason;
  usage?: Usage;
}

export type StreamEvent =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  /** The signature of the reasoning streamed so far (see `Message.reasoningSignature`). */
  | { type: 'reasoning_signature'; signature: string }
  | { type: 'tool_call_start'; index: number; id: string; name: string }
  | { type: 'tool_call_delta'; index: number; arguments: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason }
  | { type: 'error'; error: Error };

export interface EmbeddingRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encodingFormat?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
  raw?: Record<string, unknown>;
}

export interface EmbeddingResponse {
  model: string;
  /** One vector per input, in input order; base64 strings when `encodingFormat` was base64. */
  data: (number[] | string)[];
  usage: Usage;
}

export interface CompletionRequest extends Generation {
  prompt: string | string[];
  raw?: Record<string, unknown>;
}

export interface CompletionResponse {
  id: string;
  model: string;
  created: number;
  text: string;
  finishReason: FinishReason;
  usage?: Usage;
}
