/** Builds Vertex AI calls: Gemini's generateContent body at the publisher-model path of a project and location. */
import type { ProviderConfig } from '../../config/schema.ts';
import { UpstreamError } from '../../core/errors.ts';
import type { ChatRequest, EmbeddingRequest } from '../../core/types.ts';
import { chatRequestToWire } from '../../formats/gemini/wire.ts';
import { chatMethod, embeddingTexts } from '../gemini/request.ts';
import type { Target, UpstreamCall } from '../types.ts';
import { requireAccount } from './auth.ts';

export const DEFAULT_REGION = 'us-central1';

/** Vertex AI's regional endpoint; the `global` location has one without a region prefix. */
export function baseUrlFor(config: ProviderConfig): string {
  const region = config.region ?? DEFAULT_REGION;
  return region === 'global' ? 'https://aiplatform.googleapis.com' : `https://${region}-aiplatform.googleapis.com`;
}

/** `{base}/v1/projects/{project}/locations/{region}/publishers/google/models/{model}:{method}`. */
function modelUrl(target: Target, method: string): string {
  const { provider } = target;
  const project = provider.project ?? requireAccount(target).projectId;
  if (project === undefined) {
    throw new UpstreamError(`Provider '${provider.name}' names no project, and its key has no project_id.`, {
      retryable: true,
    });
  }
  const region = provider.region ?? DEFAULT_REGION;
  const version = provider.api_version ?? 'v1';
  return `${target.baseUrl}/${version}/projects/${project}/locations/${region}/publishers/google/models/${target.upstreamModel}:${method}`;
}

// The authorization header is added by `authorize`, once the access token is at hand.
const headers = (target: Target): Record<string, string> => ({
  'content-type': 'application/json',
  ...target.provider.headers,
});

export function encodeChat(req: ChatRequest, target: Target): UpstreamCall {
  return {
    url: modelUrl(target, chatMethod(req)),
    headers: headers(target),
    body: JSON.stringify(chatRequestToWire(req, target.provider.name)),
  };
}

/** Text embedding models answer `:predict` with one instance per text. */
export function encodeEmbedding(req: EmbeddingRequest, target: Target): UpstreamCall {
  const body: Record<string, unknown> = {
    instances: embeddingTexts(req, target.provider.name).map((content) => ({ content })),
  };
  if (req.dimensions !== undefined) body.parameters = { outputDimensionality: req.dimensions };
  return { url: modelUrl(target, 'predict'), headers: headers(target), body: JSON.stringify(body) };
}
