/** Builds Gemini API calls (generateContent, streamGenerateContent, batchEmbedContents) from the canonical form. */
import { InvalidRequest } from '../../core/errors.ts';
import type { ChatRequest, EmbeddingRequest } from '../../core/types.ts';
import { chatRequestToWire } from '../../formats/gemini/wire.ts';
import type { Target, UpstreamCall } from '../types.ts';

/** A base URL that already ends in an API version (`…/v1beta`) is used as it is. */
const VERSIONED = /\/v\d+(?:alpha|beta)?\d*$/;

/** `{base}/v1beta` (or the configured api_version): where the API's collections are. */
export function versionedBase(target: Pick<Target, 'baseUrl' | 'provider'>): string {
  return VERSIONED.test(target.baseUrl)
    ? target.baseUrl
    : `${target.baseUrl}/${target.provider.api_version ?? 'v1beta'}`;
}

/** `{base}/v1beta/models/{model}:{method}`; a model named `models/x` or `tunedModels/x` keeps its own collection. */
export function modelUrl(target: Target, method: string): string {
  const base = versionedBase(target);
  const model = target.upstreamModel;
  const path = model.startsWith('models/') || model.startsWith('tunedModels/') ? model : `models/${model}`;
  return `${base}/${path}:${method}`;
}

export function headers(target: Pick<Target, 'key' | 'provider'>): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json', ...target.provider.headers };
  // The header rather than ?key=, so the key stays out of URLs (and the logs that print them).
  if (target.key !== undefined) h['x-goog-api-key'] = target.key;
  return h;
}

/** The method and query of a chat call: streams ask for SSE (`alt=sse`); without it Google streams one JSON array. */
export function chatMethod(req: ChatRequest): string {
  return req.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
}

export function encodeChat(req: ChatRequest, target: Target): UpstreamCall {
  return {
    url: modelUrl(target, chatMethod(req)),
    headers: headers(target),
    body: JSON.stringify(chatRequestToWire(req, target.provider.name)),
  };
}

/** The texts of an embedding request; token-id inputs have no Gemini form. */
export function embeddingTexts(req: EmbeddingRequest, provider: string): string[] {
  const input = typeof req.input === 'string' ? [req.input] : req.input;
  if (!input.every((item): item is string => typeof item === 'string')) {
    throw new InvalidRequest(`Token-id input is not supported by the provider '${provider}' serving this model.`, {
      param: 'input',
      code: 'unsupported_feature',
    });
  }
  return input;
}

export function encodeEmbedding(req: EmbeddingRequest, target: Target): UpstreamCall {
  const model = target.upstreamModel.startsWith('models/') ? target.upstreamModel : `models/${target.upstreamModel}`;
  const requests = embeddingTexts(req, target.provider.name).map((text) => {
    const one: Record<string, unknown> = { model, content: { parts: [{ text }] } };
    if (req.dimensions !== undefined) one.outputDimensionality = req.dimensions;
    return one;
  });
  return { url: modelUrl(target, 'batchEmbedContents'), headers: headers(target), body: JSON.stringify({ requests }) };
}
