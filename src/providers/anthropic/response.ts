/** Decodes Anthropic Messages answers and error bodies into the canonical form. */
import { UpstreamError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import type { ChatResponse } from '../../core/types.ts';
import { chatResponseFromWire, type WireMessageResponse } from '../../formats/anthropic/wire.ts';
import { errorMessage as openaiErrorMessage, parseUpstreamJson } from '../openai/response.ts';
import type { Target } from '../types.ts';

interface WireError {
  type?: string;
  error?: { type?: string; message?: string };
}

/** An `{"type":"error","error":{type,message}}` object as an UpstreamError (mid-stream, or in a 200 body). */
export function answerError(body: WireError, retryable: boolean): UpstreamError {
  const type = body.error?.type ?? 'error';
  const message = body.error?.message?.trim() || type;
  const overloaded = type === 'overloaded_error';
  return new UpstreamError(`Upstream error (${type}): ${redactSecrets(message)}`, {
    retryable,
    ...(overloaded ? { upstreamStatus: 529 } : type === 'rate_limit_error' ? { upstreamStatus: 429 } : {}),
  });
}

export function decodeChat(body: string, target: Target): ChatResponse {
  const answer = parseUpstreamJson(body) as WireMessageResponse & WireError;
  if (answer.type === 'error') throw answerError(answer, true);
  return chatResponseFromWire(answer, target.upstreamModel);
}

/** The message of Anthropic's `{"type":"error","error":{"type","message"}}` (or anything else, as OpenAI's are read). */
export function errorMessage(status: number, body: string): string {
  return openaiErrorMessage(status, body);
}

/** count_tokens' answer: `{"input_tokens": n}`. */
export function decodeCountTokens(body: string): number {
  const answer = parseUpstreamJson(body) as { input_tokens?: unknown };
  if (typeof answer.input_tokens !== 'number') {
    throw new UpstreamError('Upstream count_tokens answer has no input_tokens.', { retryable: true });
  }
  return answer.input_tokens;
}
