/** Decodes Ollama native answers (/api/chat, /api/generate, /api/embed) into the canonical form. */
import { randomUUID } from 'node:crypto';
import { UpstreamError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import type {
  ChatResponse,
  CompletionResponse,
  EmbeddingResponse,
  FinishReason,
  Message,
  ToolCall,
  Usage,
} from '../../core/types.ts';
import { parseUpstreamJson } from '../openai/response.ts';
import type { Target } from '../types.ts';

/** One answer object: the whole reply, or one line of a stream (the last has `done: true` and the counts). */
export interface OllamaAnswer {
  model?: string;
  created_at?: string;
  message?: {
    role?: string;
    content?: string;
    thinking?: string;
    tool_calls?: { id?: string; function?: { name?: string; arguments?: unknown } }[] | null;
  };
  /** /api/generate's text. */
  response?: string;
  thinking?: string;
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  error?: unknown;
}

/** Ollama's own answer-level error (`{"error":"…"}`) as an UpstreamError. */
export function answerError(error: unknown, retryable: boolean): UpstreamError {
  const message = typeof error === 'string' && error.trim() ? error.trim() : 'unknown error';
  return new UpstreamError(`Upstream error: ${redactSecrets(message)}`, { retryable });
}

/** Recent Ollama versions give tool calls ids; older ones do not, so one is made in the format Ollama uses. */
export function toolCallId(id: unknown): string {
  return typeof id === 'string' && id ? id : `call_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
}

/** Ollama gives arguments as an object; canonical arguments are JSON text. */
export function argumentsText(args: unknown): string {
  if (typeof args === 'string') return args;
  return JSON.stringify(args ?? {});
}

/** Ollama says `stop` after tool calls too; `length` stays, whatever else (`load`, `unload`) is a stop. */
export function finishFrom(doneReason: string | undefined, toolCalled: boolean): FinishReason {
  if (doneReason === 'length') return 'length';
  return toolCalled ? 'tool_calls' : 'stop';
}

/** The counts of a final answer; undefined when it has none, so usage can be estimated rather than taken as zero. */
export function usageFrom(answer: OllamaAnswer): Usage | undefined {
  if (answer.prompt_eval_count === undefined && answer.eval_count === undefined) return undefined;
  const promptTokens = answer.prompt_eval_count ?? 0;
  const completionTokens = answer.eval_count ?? 0;
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

function createdFrom(createdAt: string | undefined): number {
  const ms = createdAt === undefined ? Number.NaN : Date.parse(createdAt);
  return Math.floor((Number.isNaN(ms) ? Date.now() : ms) / 1000);
}

function answerOf(body: string): OllamaAnswer {
  const answer = parseUpstreamJson(body) as OllamaAnswer;
  if (answer.error !== undefined) throw answerError(answer.error, true);
  return answer;
}

// Ollama answers carry no id: it stays empty as with any upstream that gives none; the relay names the response.
export function decodeChat(body: string, target: Target): ChatResponse {
  const answer = answerOf(body);
  const wm = answer.message ?? {};
  const message: Message = { role: 'assistant', content: wm.content ?? '' };
  if (wm.thinking) message.reasoning = wm.thinking;
  if (wm.tool_calls?.length) {
    message.toolCalls = wm.tool_calls.map(
      (call): ToolCall => ({
        id: toolCallId(call.id),
        name: call.function?.name ?? '',
        arguments: argumentsText(call.function?.arguments),
      }),
    );
  }
  const res: ChatResponse = {
    id: '',
    model: answer.model ?? target.upstreamModel,
    created: createdFrom(answer.created_at),
    message,
    finishReason: finishFrom(answer.done_reason, message.toolCalls !== undefined),
  };
  const usage = usageFrom(answer);
  if (usage) res.usage = usage;
  return res;
}

export function decodeCompletion(body: string, target: Target): CompletionResponse {
  const answer = answerOf(body);
  const res: CompletionResponse = {
    id: '',
    model: answer.model ?? target.upstreamModel,
    created: createdFrom(answer.created_at),
    text: answer.response ?? '',
    finishReason: finishFrom(answer.done_reason, false),
  };
  const usage = usageFrom(answer);
  if (usage) res.usage = usage;
  return res;
}

/** Ollama answers float vectors only; the inbound format encodes them as base64 when its client asked. */
export function decodeEmbedding(body: string, target: Target): EmbeddingResponse {
  const answer = answerOf(body) as OllamaAnswer & { embeddings?: unknown };
  if (!Array.isArray(answer.embeddings)) {
    throw new UpstreamError('Upstream embeddings answer has no embeddings array.', { retryable: true });
  }
  const vectors = answer.embeddings as number[][];
  const promptTokens = answer.prompt_eval_count ?? 0;
  return {
    model: answer.model ?? target.upstreamModel,
    data: vectors,
    usage: { promptTokens, completionTokens: 0, totalTokens: promptTokens },
  };
}
