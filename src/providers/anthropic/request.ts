/** Builds Anthropic Messages API calls (`/v1/messages`, `/v1/messages/count_tokens`) from the canonical form. */
import type { ChatRequest } from '../../core/types.ts';
import { chatRequestToWire } from '../../formats/anthropic/wire.ts';
import type { Target, UpstreamCall } from '../types.ts';

export const ANTHROPIC_VERSION = '2023-06-01';

/** Output limits of Anthropic's models (by name prefix, most specific first); others get 4096. */
const MAX_OUTPUT: readonly [RegExp, number][] = [
  [/^claude-3-7-sonnet/, 64000],
  [/^claude-3-5-(sonnet|haiku)/, 8192],
  [/^claude-3-/, 4096],
  [/^claude-opus-4-(0|1)(\b|-)|^claude-opus-4-20|^claude-opus-4$/, 32000],
  [/^claude-(opus|sonnet|haiku)-4/, 64000],
];

/** The max_tokens Anthropic requires when the request gives none: the configured default, else the model's limit. */
export function defaultMaxTokens(target: Target): number {
  if (target.defaultMaxTokens !== undefined) return target.defaultMaxTokens;
  const model = target.upstreamModel.replace(/^anthropic\./, '');
  for (const [pattern, limit] of MAX_OUTPUT) if (pattern.test(model)) return limit;
  return 4096;
}

/** `{base}/v1/{path}`; a base URL that already ends in `/v1` is used as it is. */
export function apiUrl(target: Pick<Target, 'baseUrl'>, path: string): string {
  const base = target.baseUrl.endsWith('/v1') ? target.baseUrl : `${target.baseUrl}/v1`;
  return `${base}/${path}`;
}

export function headers(target: Pick<Target, 'key' | 'provider'>): Record<string, string> {
  const h: Record<string, string> = {
    'content-type': 'application/json',
    'anthropic-version': target.provider.api_version ?? ANTHROPIC_VERSION,
    ...target.provider.headers,
  };
  if (target.key !== undefined) h['x-api-key'] = target.key;
  return h;
}

export function wireBody(req: ChatRequest, target: Target): Record<string, unknown> {
  return chatRequestToWire(req, {
    model: target.upstreamModel,
    provider: target.provider.name,
    maxTokens: req.maxTokens ?? defaultMaxTokens(target),
  });
}

export function encodeChat(req: ChatRequest, target: Target): UpstreamCall {
  return { url: apiUrl(target, 'messages'), headers: headers(target), body: JSON.stringify(wireBody(req, target)) };
}

/** What count_tokens takes of a Messages body. */
const COUNTED_FIELDS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking'];

export function encodeCountTokens(req: ChatRequest, target: Target): UpstreamCall {
  const body = wireBody({ ...req, stream: false }, target);
  const counted = Object.fromEntries(COUNTED_FIELDS.filter((f) => f in body).map((f) => [f, body[f]]));
  return { url: apiUrl(target, 'messages/count_tokens'), headers: headers(target), body: JSON.stringify(counted) };
}
