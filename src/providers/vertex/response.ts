/** Decodes Vertex AI's embedding answers (`:predict`); chat answers are Gemini's (see ../gemini/response.ts). */
import { UpstreamError } from '../../core/errors.ts';
import type { EmbeddingResponse } from '../../core/types.ts';
import { parseUpstreamJson } from '../openai/response.ts';
import type { Target } from '../types.ts';

interface PredictAnswer {
  predictions?: { embeddings?: { values?: number[]; statistics?: { token_count?: number } } }[];
}

export function decodeEmbedding(body: string, target: Target): EmbeddingResponse {
  const answer = parseUpstreamJson(body) as PredictAnswer;
  if (!Array.isArray(answer.predictions)) {
    throw new UpstreamError('Upstream embeddings answer has no predictions array.', { retryable: true });
  }
  const promptTokens = answer.predictions.reduce((n, p) => n + (p.embeddings?.statistics?.token_count ?? 0), 0);
  return {
    model: target.upstreamModel,
    data: answer.predictions.map((p) => p.embeddings?.values ?? []),
    usage: { promptTokens, completionTokens: 0, totalTokens: promptTokens },
  };
}
