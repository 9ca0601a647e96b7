/** Builds OpenAI-format upstream requests: from the canonical form, or by forwarding an OpenAI client's body. */
import type { CompletionRequest, EmbeddingRequest } from '../../core/types.ts';
import { samplingToWire } from '../../formats/openai-chat/wire.ts';
import type { Endpoint, Target, UpstreamCall } from '../types.ts';

const PATHS: Record<Endpoint, string> = {
  chat: '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
};

export function headers(target: Pick<Target, 'key' | 'provider'>): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json', ...target.provider.headers };
  if (target.key !== undefined) h.authorization = `Bearer ${target.key}`;
  return h;
}

export function post(target: Target, endpoint: Endpoint, body: Record<string, unknown>): UpstreamCall {
  return { url: target.baseUrl + PATHS[endpoint], headers: headers(target), body: JSON.stringify(body) };
}

/**
 * The client's own body with the upstream model name; streams always ask for usage (metering needs it; the relay
 * strips the usage chunk again when the client did not ask for it).
 */
export function withRouting(body: Record<string, unknown>, target: Target): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body, model: target.upstreamModel };
  if (out.stream === true) {
    const options = out.stream_options;
    out.stream_options =
      options && typeof options === 'object' ? { ...options, include_usage: true } : { include_usage: true };
  }
  return out;
}

export function buildPassthrough(endpoint: Endpoint, body: Record<string, unknown>, target: Target): UpstreamCall {
  return post(target, endpoint, withRouting(body, target));
}

export function encodeCompletion(req: CompletionRequest, target: Target): UpstreamCall {
  return post(target, 'completions', samplingToWire(req, { model: target.upstreamModel, prompt: req.prompt }));
}

export function encodeEmbedding(req: EmbeddingRequest, target: Target): UpstreamCall {
  const body: Record<string, unknown> = { model: target.upstreamModel, input: req.input };
  if (req.encodingFormat !== undefined) body.encoding_format = req.encodingFormat;
  if (req.dimensions !== undefined) body.dimensions = req.dimensions;
  if (req.user !== undefined) body.user = req.user;
  return post(target, 'embeddings', body);
}
