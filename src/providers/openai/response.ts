/** Decodes OpenAI-format upstream answers (chat, completions, embeddings, errors) into the canonical form. */
import { UpstreamError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import type { ChatResponse, CompletionResponse, EmbeddingResponse } from '../../core/types.ts';
import { chatResponseFromWire, finishFromWire, usageFromWire } from '../../formats/openai-chat/wire.ts';
import type { Target } from '../types.ts';

/** Parses an upstream JSON body; a body that is not a JSON object is an upstream fault (502). */
export function parseUpstreamJson(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new UpstreamError('Upstream returned a body that is not JSON.', { retryable: true });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UpstreamError('Upstream returned a JSON body that is not an object.', { retryable: true });
  }
  return parsed as Record<string, unknown>;
}

export function decodeChat(body: string, target: Target): ChatResponse {
  return chatResponseFromWire(parseUpstreamJson(body), target.upstreamModel);
}

interface WireCompletion {
  id?: string;
  model?: string;
  created?: number;
  choices?: { text?: string; finish_reason?: string | null }[];
  usage?: Parameters<typeof usageFromWire>[0] | null;
}

export function decodeCompletion(body: string, target: Target): CompletionResponse {
  const wire = parseUpstreamJson(body) as WireCompletion;
  const choice = wire.choices?.[0];
  const res: CompletionResponse = {
    id: wire.id ?? '',
    model: wire.model ?? target.upstreamModel,
    created: wire.created ?? Math.floor(Date.now() / 1000),
    text: choice?.text ?? '',
    finishReason: finishFromWire(choice?.finish_reason),
  };
  if (wire.usage) res.usage = usageFromWire(wire.usage);
  return res;
}

interface WireEmbeddings {
  model?: string;
  data?: { index?: number; embedding: number[] | string }[];
  usage?: Parameters<typeof usageFromWire>[0] | null;
}

export function decodeEmbedding(body: string, target: Target): EmbeddingResponse {
  const wire = parseUpstreamJson(body) as WireEmbeddings;
  if (!Array.isArray(wire.data))
    throw new UpstreamError('Upstream embeddings answer has no data array.', { retryable: true });
  const data = [...wire.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)).map((d) => d.embedding);
  return { model: wire.model ?? target.upstreamModel, data, usage: usageFromWire(wire.usage ?? {}) };
}

/**
 * The message inside an upstream error body: OpenAI's `{error:{message}}`, Cloudflare's `{errors:[{message}]}`, a bare
 * `{message}`, or the text itself.
 */
export function errorMessage(status: number, body: string): string {
  let message: unknown;
  try {
    const parsed = JSON.parse(body) as {
      error?: { message?: unknown } | string;
      errors?: { message?: unknown }[];
      message?: unknown;
      detail?: unknown;
    };
    message =
      typeof parsed.error === 'string'
        ? parsed.error
        : (parsed.error?.message ?? parsed.errors?.[0]?.message ?? parsed.message ?? parsed.detail);
  } catch {
    message = body;
  }
  const text = typeof message === 'string' && message.trim() ? message.trim() : `HTTP ${status}`;
  return redactSecrets(text.length > 500 ? `${text.slice(0, 500)}…` : text);
}
