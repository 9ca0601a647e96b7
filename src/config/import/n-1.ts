/**
 * Reads N-1's `config.json` (api_bearer_token, models[], summary_model with summary_prompt, stream_status_feedback)
 * as a Switchyard config: each endpoint becomes a provider, the whole an `ensemble` virtual model that every request
 * reaches (N-1 answers whatever model is named), on its port.
 */
import type { ConfigInput } from '../schema.ts';
import { baseUrlOf, type GatewayImport } from './o1-api.ts';

interface N1Model {
  endpoint?: unknown;
  bearer_token?: unknown;
  model_name?: unknown;
  timeout?: unknown;
  summary_prompt?: unknown;
}

/** N-1's shape: a `models` list of endpoints and a `summary_model`. */
export function isN1(document: unknown): document is Record<string, unknown> {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return false;
  const d = document as Record<string, unknown>;
  return Array.isArray(d['models']) && d['summary_model'] !== null && typeof d['summary_model'] === 'object';
}

const SERVER = { host: '0.0.0.0', port: 18888 };
/** The name the ensemble is listed under; requests naming any other model reach it too. */
export const N1_MODEL = 'n-1';
/** N-1's per-request timeout when a model sets none (seconds). */
const DEFAULT_TIMEOUT_S = 120;

export function importN1(document: Record<string, unknown>): GatewayImport {
  const problems: { path: string; message: string }[] = [];
  const warnings: string[] = [];
  const providers: { name: string; type: 'openai'; base_url: string; keys: string[]; models: string[] }[] = [];
  /** Each distinct endpoint and token is one provider, serving every model named with them. */
  const providerOf = (m: N1Model, path: string): string | undefined => {
    const fields = ['endpoint', 'bearer_token', 'model_name'] as const;
    for (const field of fields) {
      if (typeof m[field] !== 'string' || !(m[field] as string).trim()) {
        problems.push({ path: `${path}.${field}`, message: 'required' });
        return undefined;
      }
    }
    const base = baseUrlOf(m.endpoint as string);
    const key = (m.bearer_token as string).trim();
    const model = (m.model_name as string).trim();
    let provider = providers.find((p) => p.base_url === base && p.keys[0] === key);
    if (!provider) {
      provider = { name: `n1-${providers.length + 1}`, type: 'openai', base_url: base, keys: [key], models: [] };
      providers.push(provider);
    }
    if (!provider.models.includes(model)) provider.models.push(model);
    return model;
  };
  const entries = document['models'] as N1Model[];
  const members = entries.map((m, i) => providerOf(m ?? {}, `models[${i}]`)).filter((m): m is string => !!m);
  const summary = document['summary_model'] as N1Model;
  const summarizer = providerOf(summary, 'summary_model');
  const seconds = entries.map((m) => (typeof m?.timeout === 'number' ? m.timeout : DEFAULT_TIMEOUT_S));
  const token = document['api_bearer_token'];
  if (typeof token !== 'string' || !token.trim()) {
    problems.push({ path: 'api_bearer_token', message: 'required: the key clients send as their bearer token' });
  }
  if (entries.some((m) => m && 'temperature' in (m as object)) || 'temperature' in summary) {
    warnings.push("models[].temperature: the client's own temperature is used for every call");
  }
  const config: ConfigInput = {
    server: SERVER,
    auth: { keys: typeof token === 'string' && token.trim() ? [token.trim()] : [] },
    providers,
    models: {
      virtual:
        members.length && summarizer
          ? [
              {
                name: N1_MODEL,
                type: 'ensemble',
                members,
                summarizer,
                ...(typeof summary.summary_prompt === 'string' ? { summary_prompt: summary.summary_prompt } : {}),
                member_timeout: `${Math.max(...seconds)}s`,
                status_feedback: document['stream_status_feedback'] !== false,
              },
            ]
          : [],
      ...(members.length && summarizer ? { default: N1_MODEL } : {}),
    },
  };
  return { config, problems, warnings, sourcePath: (path) => path };
}
