/**
 * one-api / new-api channel types (relay/channeltype in one-api) as Switchyard providers: which type, and how the
 * key and the `other` / `config` fields carry what Switchyard keeps in its own fields.
 */

export interface ChannelSource {
  type: number;
  key: string;
  base_url: string | null;
  other: string | null;
  config: string | null;
}

export interface MappedChannel {
  type: string;
  keys: string[];
  settings: Record<string, unknown>;
}

/** one-api types that speak OpenAI's API at a base URL of their own (relays and compatible services). */
const OPENAI_AT_BASE_URL = new Set([2, 4, 5, 6, 7, 8, 9, 10, 12, 13, 22, 50]);

/** Providers whose one-api adaptor appends `/v1/…` to the base URL, where Switchyard's base URL includes `/v1`. */
const ADDS_V1 = new Set([
  'openai',
  'zhipu',
  'qwen',
  'openrouter',
  'moonshot',
  'mistral',
  'groq',
  'deepseek',
  'together',
  'siliconflow',
  'xai',
]);

/** one-api types whose Switchyard provider knows its base URL (a given one is kept when it is set). */
const PRESETS: Record<number, string> = {
  1: 'openai',
  14: 'anthropic',
  16: 'zhipu',
  17: 'qwen',
  20: 'openrouter',
  24: 'gemini',
  25: 'moonshot',
  28: 'mistral',
  29: 'groq',
  30: 'ollama',
  34: 'coze',
  36: 'deepseek',
  39: 'together',
  44: 'siliconflow',
  45: 'xai',
};

function parsed(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** one-api puts several keys of a channel on separate lines. */
function keysOf(key: string): string[] {
  return key
    .split(/\r?\n/)
    .map((k) => k.trim())
    .filter(Boolean);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** The Switchyard provider for a one-api channel, or a reason it cannot be carried over. */
export function mapChannel(source: ChannelSource): MappedChannel | { skip: string } {
  const keys = keysOf(source.key);
  const baseUrl = str(source.base_url);
  const config = parsed(source.config);
  const withBase = (type: string): MappedChannel => {
    if (!baseUrl) return { type, keys, settings: {} };
    const base = baseUrl.replace(/\/+$/, '');
    return { type, keys, settings: { base_url: ADDS_V1.has(type) && !/\/v\d+$/.test(base) ? `${base}/v1` : base } };
  };
  if (OPENAI_AT_BASE_URL.has(source.type)) {
    return baseUrl ? withBase('openai') : { skip: 'an OpenAI-compatible channel without a base URL' };
  }
  const preset = PRESETS[source.type];
  if (preset) return withBase(preset);
  switch (source.type) {
    case 3: {
      // Azure: `other` is the api-version.
      const apiVersion = str(source.other) ?? str(config.api_version);
      if (!baseUrl) return { skip: 'an Azure channel without its resource URL' };
      return {
        type: 'azure',
        keys,
        settings: { base_url: baseUrl, ...(apiVersion ? { api_version: apiVersion } : {}) },
      };
    }
    case 33: {
      // AWS Claude: `AK|SK|REGION` (one key per line), or the region in config.
      const [first] = keys;
      const parts = first?.split('|') ?? [];
      const region = str(parts[2]) ?? str(config.region);
      if (parts.length < 2 || !region) return { skip: 'a Bedrock channel without an access key pair and region' };
      return {
        type: 'bedrock',
        keys: keys.map((k) => k.split('|').slice(0, 2).join(':')),
        settings: { region },
      };
    }
    case 37: {
      // Cloudflare: the account id is in `other` (one-api) or config.user_id.
      const accountId = str(source.other) ?? str(config.user_id) ?? str(config.account_id);
      if (!accountId && !baseUrl) return { skip: 'a Cloudflare channel without its account id' };
      return { type: 'cloudflare', keys, settings: baseUrl ? { base_url: baseUrl } : { account_id: accountId } };
    }
    case 42: {
      // Vertex AI: the key is the service account JSON; region and project in config.
      const region = str(config.region) ?? str(source.other);
      const project = str(config.vertex_ai_project_id) ?? str(config.project);
      return {
        type: 'vertex',
        keys: [source.key.trim()],
        settings: { ...(region ? { region } : {}), ...(project ? { project } : {}) },
      };
    }
    default:
      return { skip: `channel type ${source.type} has no Switchyard provider` };
  }
}
