/** Decodes Gemini API answers (generateContent, batchEmbedContents, errors) into the canonical form. */
import { UpstreamError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import type { ChatResponse, EmbeddingResponse } from '../../core/types.ts';
import { chatResponseFromWire, type GeminiAnswer } from '../../formats/gemini/answer.ts';
import { errorMessage as openaiErrorMessage, parseUpstreamJson } from '../openai/response.ts';
import type { Target } from '../types.ts';

/** An error object inside an answer (`{"error":{code,message,status}}`) as an UpstreamError. */
export function answerError(error: GeminiAnswer['error'], retryable: boolean): UpstreamError {
  const message = error?.message?.trim() || error?.status || 'unknown error';
  return new UpstreamError(`Upstream error: ${redactSecrets(message)}`, {
    retryable,
    ...(typeof error?.code === 'number' ? { upstreamStatus: error.code } : {}),
  });
}

export function decodeChat(body: string, target: Target): ChatResponse {
  const answer = parseUpstreamJson(body) as GeminiAnswer;
  if (answer.error) throw answerError(answer.error, true);
  return chatResponseFromWire(answer, target.upstreamModel);
}

/** Gemini's embeddings answer has no token counts. */
export function decodeEmbedding(body: string, target: Target): EmbeddingResponse {
  const answer = parseUpstreamJson(body) as { embeddings?: { values?: number[] }[] };
  if (!Array.isArray(answer.embeddings)) {
    throw new UpstreamError('Upstream embeddings answer has no embeddings array.', { retryable: true });
  }
  return {
    model: target.upstreamModel,
    data: answer.embeddings.map((e) => e.values ?? []),
    usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
  };
}

/**
 * The message of a Google error body: `{"error":{"code","message","status"}}`, or that object in a one-element array
 * (streamGenerateContent without alt=sse); anything else as other upstreams' errors are read.
 */
/** Google's error reasons that mean the API key itself was refused (sent with HTTP 400 or 403). */
const KEY_REFUSED = /"reason"\s*:\s*"(API_KEY_INVALID|API_KEY_SERVICE_BLOCKED|API_KEY_HTTP_REFERRER_BLOCKED)"/;

/** A refused API key is a 401 for the key's health, whatever status Google sent it with. */
export function errorStatus(status: number, body: string): number {
  return status === 400 && KEY_REFUSED.test(body) ? 401 : status;
}

export function errorMessage(status: number, body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return openaiErrorMessage(status, body);
  }
  const first: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
  return openaiErrorMessage(status, JSON.stringify(first ?? {}));
}
