/** Decodes Qianfan v1 answers, whose errors come as HTTP 200 bodies with an `error_code`, into the canonical form. */
import { UpstreamError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import type { ChatResponse, EmbeddingResponse, FinishReason, Message, Usage } from '../../core/types.ts';
import { toolCallId } from '../ollama/response.ts';
import { errorMessage as openaiErrorMessage, parseUpstreamJson } from '../openai/response.ts';
import type { Target } from '../types.ts';
import { forgetAccessToken, rateLimited } from './auth.ts';

/** A chat answer, one event of a stream, or an error body. */
export interface QianfanAnswer {
  id?: string;
  created?: number;
  is_end?: boolean;
  is_truncated?: boolean;
  result?: string;
  finish_reason?: string;
  need_clear_history?: boolean;
  function_call?: { name?: string; arguments?: string; thoughts?: string } | null;
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null;
  error_code?: number;
  error_msg?: string;
}

// Error codes: https://cloud.baidu.com/doc/WENXINWORKSHOP/s/tlmyncueh (and APIErrorCode in bce-qianfan-sdk).
const TOKEN_REJECTED = new Set([110, 111]);
const RATE_LIMITED = new Set([4, 17, 18, 336501, 336502]);
const KEY_REFUSED = new Set([14, 15]);
const QUOTA_GONE = new Set([19]);
const UNAVAILABLE = new Set([1, 2, 13, 336000, 336100]);
const BAD_REQUEST = new Set([3, 336001, 336002, 336003, 336006, 336007, 336101, 336103, 336104, 336105]);

/** Qianfan's error code as the gateway's error: rate limits cool the key down, refused keys take it out. */
export function answerError(answer: QianfanAnswer, target: Target): UpstreamError {
  const code = answer.error_code ?? 0;
  const detail = redactSecrets(answer.error_msg?.trim() || 'no message');
  const message = `Upstream '${target.provider.name}' answered error ${code}: ${detail}`;
  if (TOKEN_REJECTED.has(code)) {
    // The key is fine; its access token is not. The next call fetches a new one.
    forgetAccessToken(target);
    return new UpstreamError(message, { retryable: true });
  }
  if (RATE_LIMITED.has(code)) return rateLimited(message);
  if (KEY_REFUSED.has(code)) return new UpstreamError(message, { upstreamStatus: 401, retryable: true });
  if (QUOTA_GONE.has(code)) return new UpstreamError(message, { upstreamStatus: 403, retryable: true });
  if (UNAVAILABLE.has(code)) return new UpstreamError(message, { upstreamStatus: 503, retryable: true });
  if (BAD_REQUEST.has(code)) return new UpstreamError(message, { upstreamStatus: 400, status: 400, retryable: false });
  // No permission for this model (6, 336004), an unknown endpoint (336005), anything new: another deployment may serve.
  return new UpstreamError(message, { retryable: true });
}

/** Parses an answer body and throws its error, if it is one. */
export function answerOf(body: string, target: Target): QianfanAnswer {
  const answer = parseUpstreamJson(body) as QianfanAnswer;
  if (answer.error_code) throw answerError(answer, target);
  return answer;
}

export function finishOf(answer: QianfanAnswer): FinishReason {
  if (answer.function_call?.name || answer.finish_reason === 'function_call') return 'tool_calls';
  if (answer.finish_reason === 'length') return 'length';
  // need_clear_history: the input was judged unsafe and the result is a canned refusal.
  if (answer.finish_reason === 'content_filter' || answer.need_clear_history) return 'content_filter';
  return answer.is_truncated ? 'length' : 'stop';
}

export function usageOf(answer: QianfanAnswer): Usage | undefined {
  const u = answer.usage;
  if (!u) return undefined;
  const promptTokens = u.prompt_tokens ?? 0;
  const completionTokens = u.completion_tokens ?? 0;
  return { promptTokens, completionTokens, totalTokens: u.total_tokens ?? promptTokens + completionTokens };
}

export function decodeChat(body: string, target: Target): ChatResponse {
  const answer = answerOf(body, target);
  const message: Message = { role: 'assistant', content: answer.result ?? '' };
  const call = answer.function_call;
  if (call?.name) {
    // Qianfan's function calls have no id; the model's `thoughts` about the call are its reasoning.
    message.toolCalls = [{ id: toolCallId(undefined), name: call.name, arguments: call.arguments ?? '' }];
    if (call.thoughts) message.reasoning = call.thoughts;
  }
  const res: ChatResponse = {
    id: answer.id ?? '',
    model: target.upstreamModel,
    created: answer.created ?? Math.floor(Date.now() / 1000),
    message,
    finishReason: finishOf(answer),
  };
  const usage = usageOf(answer);
  if (usage) res.usage = usage;
  return res;
}

interface EmbeddingAnswer extends QianfanAnswer {
  data?: { index?: number; embedding: number[] }[];
}

export function decodeEmbedding(body: string, target: Target): EmbeddingResponse {
  const answer = answerOf(body, target) as EmbeddingAnswer;
  if (!Array.isArray(answer.data)) {
    throw new UpstreamError('Upstream embeddings answer has no data array.', { retryable: true });
  }
  const data = [...answer.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)).map((d) => d.embedding);
  const usage = usageOf(answer) ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  return { model: target.upstreamModel, data, usage };
}

/** The message inside a Qianfan error body (`{error_code, error_msg}`, or OAuth's `{error, error_description}`). */
export function errorMessage(status: number, body: string): string {
  let parsed: { error_code?: unknown; error_msg?: unknown; error_description?: unknown } | undefined;
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed.error_msg === 'string' && parsed.error_msg.trim()) {
    return redactSecrets(`${parsed.error_msg.trim()} (error ${String(parsed.error_code)})`);
  }
  if (parsed && typeof parsed.error_description === 'string' && parsed.error_description.trim()) {
    return redactSecrets(parsed.error_description.trim());
  }
  return openaiErrorMessage(status, body);
}
