/**
 * Reads o1-api's `config.yaml` (api_bearer_token, model_provider_api_key, default_api_url, default_model,
 * stream_status_feedback, use_regex_processing) as a Switchyard config: its upstream becomes a provider, its reasoning
 * loop a `reasoning` virtual model that every request reaches (o1-api answers whatever model is named), on its port.
 */
import type { ConfigInput } from '../schema.ts';

const KEYS = [
  'api_bearer_token',
  'model_provider_api_key',
  'default_api_url',
  'default_model',
  'stream_status_feedback',
  'use_regex_processing',
] as const;

/** o1-api's shape: its upstream URL and model at the top level, and none of Switchyard's sections. */
export function isO1Api(document: unknown): document is Record<string, unknown> {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return false;
  const d = document as Record<string, unknown>;
  return ('default_api_url' in d || 'default_model' in d) && !('providers' in d) && !('models' in d);
}

export interface GatewayImport {
  config: ConfigInput;
  problems: { path: string; message: string }[];
  warnings: string[];
  /** Where a problem found in the converted config lives in the imported file. */
  sourcePath(path: string): string;
}

/** o1-api serves on port 18888 of every interface (`app.run(host='0.0.0.0', port=18888)`). */
const SERVER = { host: '0.0.0.0', port: 18888 };
/** The name the reasoning model is listed under; requests naming any other model reach it too. */
export const O1_MODEL = 'o1';

/** An OpenAI-compatible chat URL (`…/v1/chat/completions`) as a provider's base URL (`…/v1`). */
export function baseUrlOf(chatUrl: string): string {
  return chatUrl.replace(/\/+$/, '').replace(/\/chat\/completions$/, '');
}

export function importO1Api(document: Record<string, unknown>): GatewayImport {
  const problems: { path: string; message: string }[] = [];
  const warnings: string[] = [];
  const text = (key: (typeof KEYS)[number], what: string): string => {
    const value = document[key];
    if (typeof value !== 'string' || !value.trim()) {
      problems.push({ path: key, message: `required: ${what}` });
      return '';
    }
    return value.trim();
  };
  const token = text('api_bearer_token', 'the key clients send as their bearer token');
  const upstreamKey = text('model_provider_api_key', "the upstream provider's API key");
  const url = text('default_api_url', "the upstream's chat completions URL");
  const model = text('default_model', 'the upstream model that does the reasoning');
  for (const key of Object.keys(document)) {
    if (!(KEYS as readonly string[]).includes(key)) warnings.push(`${key}: unknown key, ignored`);
  }
  const config: ConfigInput = {
    server: SERVER,
    auth: { keys: token ? [token] : [] },
    providers:
      url && model && upstreamKey
        ? [{ name: 'o1-api', type: 'openai', base_url: baseUrlOf(url), keys: [upstreamKey], models: [model] }]
        : [],
    models: {
      virtual: model
        ? [
            {
              name: O1_MODEL,
              type: 'reasoning',
              model,
              status_feedback: document['stream_status_feedback'] !== false,
              // o1-api's loop: up to 25 steps, three tries of each, 300 tokens a step.
              max_steps: 25,
              step_retries: 2,
              step_max_tokens: 300,
              // Without regex processing o1-api sends line breaks as HTML.
              output_rules: document['use_regex_processing'] === false ? [{ find: '\\n', replace: '<br>' }] : [],
            },
          ]
        : [],
      ...(model ? { default: O1_MODEL } : {}),
    },
  };
  const sourcePath = (path: string): string => {
    if (path.startsWith('providers[0].base_url')) return 'default_api_url';
    if (path.startsWith('providers[0].keys')) return 'model_provider_api_key';
    if (path.startsWith('auth.keys')) return 'api_bearer_token';
    if (path.startsWith('models.virtual[0].model')) return 'default_model';
    return path;
  };
  return { config, problems, warnings, sourcePath };
}
