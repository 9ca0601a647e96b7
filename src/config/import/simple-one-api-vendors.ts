/** What each simple-one-api service type becomes in Switchyard: provider type, base URL, and which credential is the key. */

export type Credentials = Readonly<Record<string, unknown>>;

/** One credential set as the key Switchyard sends (undefined: none given), or why it cannot be one. */
export type KeyResult = { key: string | undefined } | { problem: string };

export interface Vendor {
  type: string;
  /** Base URL for one upstream model; undefined leaves the provider type's own default. */
  baseUrl(serverUrl: string | undefined, model: string, credentials: Credentials): string | undefined;
  key(credentials: Credentials): KeyResult;
  /** The name the vendor's compatible API knows, where it differs from the name simple-one-api used. */
  upstreamModel?(model: string): string;
  /** Azure's api-version, read from the deployment URL simple-one-api was given. */
  apiVersion?(serverUrl: string | undefined): string | undefined;
  /** Vertex AI's project and location, from the entry's credentials. */
  cloud?(credentials: Credentials): { project?: string; region?: string };
  /** The import reaches this vendor differently from simple-one-api: said once per entry, as a warning. */
  note?: string;
  /** What simple-one-api served when an entry listed no models (pkg/config/default_config.go). */
  defaultModels?: readonly string[];
}

/** A service type Switchyard cannot serve, and why. */
export interface Unsupported {
  unsupported: string;
}

const text = (credentials: Credentials, field: string): string | undefined => {
  const value = credentials[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

const apiKey = (credentials: Credentials): KeyResult => ({ key: text(credentials, 'api_key') });

/**
 * A signing key pair as the one key the qianfan, hunyuan and ark providers read, `ID:SECRET`; no key when neither half
 * is given (the provider then reports the missing key), a problem when only one is.
 */
function pair(credentials: Credentials, id: string, secret: string, alternative?: string): KeyResult {
  const first = text(credentials, id);
  const second = text(credentials, secret);
  if (first && second) return { key: `${first}:${second}` };
  if (!first && !second) return { key: undefined };
  const either = alternative ? `, or ${alternative}` : '';
  return { problem: `needs both ${id} and ${secret}${either}` };
}

function parseUrl(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

/** A URL without its query and trailing slashes, with the first matching endpoint suffix removed. */
export function stripEndpoint(raw: string, suffixes: readonly string[]): string {
  const url = parseUrl(raw.trim());
  // Left as written: the schema then reports it as an invalid URL, with its path.
  if (!url) return raw;
  let path = url.pathname.replace(/\/+$/, '');
  const suffix = suffixes.find((end) => path.toLowerCase().endsWith(end));
  if (suffix) path = path.slice(0, -suffix.length);
  return `${url.origin}${path}`;
}

const origin = (raw: string): string => parseUrl(raw.trim())?.origin ?? raw;

/** simple-one-api accepted the base URL, the chat URL, or (since v0.10.4) the embeddings URL of a compatible API. */
const openAiBase = (serverUrl: string) => stripEndpoint(serverUrl, ['/chat/completions', '/embeddings']);

/** A vendor with an OpenAI-compatible endpoint that takes `api_key` as the bearer token. */
function compatible(defaultBaseUrl: string, extra: Partial<Vendor> = {}): Vendor {
  return {
    type: 'openai',
    baseUrl: (serverUrl) => (serverUrl ? openAiBase(serverUrl) : defaultBaseUrl),
    key: apiKey,
    ...extra,
  };
}

const ARK = 'https://ark.cn-beijing.volces.com/api/v3';
const DASHSCOPE_COMPATIBLE = 'https://dashscope.aliyuncs.com/compatible-mode/v1';

// simple-one-api's `openai` service picks a URL from the model's prefix when server_url is empty
// (getDefaultServerURL in pkg/handler/openai_openai_handler.go); `gpt-` is Switchyard's own default.
const OPENAI_PREFIX_URLS: readonly [string, string][] = [
  ['glm-', 'https://open.bigmodel.cn/api/paas/v4'],
  ['deepseek-', 'https://api.deepseek.com/v1'],
  ['yi-', 'https://api.lingyiwanwu.com/v1'],
];

// iFlytek Spark's WebSocket model names (getURLAndDomain in pkg/handler/openai_xinghuo_handler.go) -> the `model`
// values of its OpenAI-compatible HTTP API.
const SPARK_MODELS: Readonly<Record<string, string>> = {
  '4.0ultra': '4.0Ultra',
  'spark-max32k': 'max-32k',
  'max-32k': 'max-32k',
  'spark3.5-max': 'generalv3.5',
  'spark-max': 'generalv3.5',
  'generalv3.5': 'generalv3.5',
  'spark-pro': 'generalv3',
  generalv3: 'generalv3',
  'spark-v2.0': 'generalv2',
  generalv2: 'generalv2',
  'spark-lite': 'lite',
  general: 'lite',
  'spark-pro-128k': 'pro-128k',
};

const coze = (defaultBaseUrl: string): Vendor => ({
  type: 'coze',
  baseUrl: (serverUrl) => (serverUrl ? origin(serverUrl) : defaultBaseUrl),
  // Older simple-one-api releases documented the Coze personal access token as `token`.
  key: (credentials) => ({ key: text(credentials, 'api_key') ?? text(credentials, 'token') }),
});

const VENDORS: Readonly<Record<string, Vendor | Unsupported>> = {
  openai: {
    type: 'openai',
    baseUrl: (serverUrl, model) =>
      serverUrl
        ? openAiBase(serverUrl)
        : OPENAI_PREFIX_URLS.find(([prefix]) => model.toLowerCase().startsWith(prefix))?.[1],
    key: apiKey,
  },
  deepseek: compatible('https://api.deepseek.com/v1', { defaultModels: ['deepseek-chat', 'deepseek-coder'] }),
  zhipu: compatible('https://open.bigmodel.cn/api/paas/v4', {
    defaultModels: ['glm-3-turbo', 'glm-4-0520', 'glm-4', 'glm-4-air', 'glm-4-airx', 'glm-4-flash', 'glm-4v'],
  }),
  groq: compatible('https://api.groq.com/openai/v1', {
    defaultModels: ['llama3-70b-8192', 'llama3-8b-8192', 'gemma-7b-it', 'mixtral-8x7b-32768'],
  }),
  // simple-one-api called DashScope's native API at a fixed URL; the same key works on its compatible mode.
  dashscope: compatible(DASHSCOPE_COMPATIBLE, {
    baseUrl: (serverUrl) => (serverUrl?.includes('/compatible-mode/') ? openAiBase(serverUrl) : DASHSCOPE_COMPATIBLE),
  }),
  bailian: compatible(DASHSCOPE_COMPATIBLE, {
    baseUrl: (serverUrl) => (serverUrl?.includes('/compatible-mode/') ? openAiBase(serverUrl) : DASHSCOPE_COMPATIBLE),
    note: 'simple-one-api accepted bailian entries but never called them (an empty handler); imported as DashScope compatible mode',
  }),
  huoshan: {
    // simple-one-api's Ark SDK client: an API key when one is given, else the access key pair (see the ark provider).
    type: 'ark',
    // Ark serves bot applications ("bot-…") under /bots, with the same credentials.
    baseUrl: (serverUrl, model) =>
      (serverUrl ? openAiBase(serverUrl) : ARK) + (model.startsWith('bot-') ? '/bots' : ''),
    key: (credentials) =>
      text(credentials, 'api_key') === undefined
        ? pair(credentials, 'access_key', 'secret_key', 'an Ark API key as api_key')
        : apiKey(credentials),
    defaultModels: [
      'Doubao-pro-4k',
      'Doubao-pro-32k',
      'Doubao-pro-128k',
      'Doubao-lite-4k',
      'Doubao-lite-32k',
      'Doubao-lite-128k',
    ],
  },
  minimax: {
    type: 'openai',
    baseUrl: (serverUrl) => (serverUrl ? `${origin(serverUrl)}/v1` : 'https://api.minimax.chat/v1'),
    key: apiKey,
    note: "reached through MiniMax's OpenAI-compatible /v1/chat/completions instead of chatcompletion_pro; group_id is not needed",
    defaultModels: ['abab6.5', 'abab6.5s', 'abab6.5t', 'abab6.5g', 'abab5.5s'],
  },
  hunyuan: {
    // Tencent Cloud's native API, signed with the pair (see the hunyuan provider), as simple-one-api calls it.
    type: 'hunyuan',
    baseUrl: () => undefined,
    key: (credentials) =>
      text(credentials, 'secret_id') === undefined && text(credentials, 'api_key')
        ? {
            problem:
              "simple-one-api's hunyuan service signs with secret_id and secret_key; a Hunyuan API key belongs in an openai entry with server_url https://api.hunyuan.cloud.tencent.com/v1",
          }
        : pair(credentials, 'secret_id', 'secret_key'),
    defaultModels: ['hunyuan-lite', 'hunyuan-standard', 'hunyuan-standard-256K', 'hunyuan-pro'],
  },
  qianfan: {
    // Qianfan's v1 API with an access token bought by the application's key pair (see the qianfan provider).
    type: 'qianfan',
    baseUrl: () => undefined,
    key: (credentials) =>
      text(credentials, 'secret_key') === undefined && text(credentials, 'api_key')
        ? {
            problem:
              "simple-one-api's qianfan service needs the application's api_key and secret_key; a Qianfan v2 API key (bce-v3/…) belongs in an openai entry with server_url https://qianfan.baidubce.com/v2",
          }
        : pair(credentials, 'api_key', 'secret_key'),
    defaultModels: [
      'yi_34b_chat',
      'ERNIE-Speed-8K',
      'ERNIE-Speed-128K',
      'ERNIE-Lite-8K',
      'ERNIE-Lite-8K-0922',
      'ERNIE-Tiny-8K',
    ],
  },
  xinghuo: {
    type: 'openai',
    baseUrl: () => 'https://spark-api-open.xf-yun.com/v1',
    key: (credentials) => {
      const password = text(credentials, 'api_password');
      if (password) return { key: password };
      const key = text(credentials, 'api_key');
      const secret = text(credentials, 'api_secret');
      if (key && secret) return { key: `${key}:${secret}` };
      return { problem: 'needs api_key and api_secret (or the HTTP APIPassword as api_password)' };
    },
    upstreamModel: (model) => SPARK_MODELS[model.toLowerCase()] ?? model,
    note: "reached through Spark's OpenAI-compatible HTTP API with api_key:api_secret as the bearer token instead of the WebSocket API; if iFlytek refuses it, set the console's HTTP APIPassword as credentials.api_password",
    defaultModels: ['spark-lite', 'spark-v2.0', 'spark-pro', 'spark-max'],
  },
  ollama: {
    type: 'ollama',
    baseUrl: (serverUrl) =>
      serverUrl ? stripEndpoint(serverUrl, ['/api/chat', '/api/generate', '/v1/chat/completions', '/v1']) : undefined,
    key: apiKey,
  },
  azure: {
    type: 'azure',
    // simple-one-api kept only the resource origin and sent the model name as the deployment.
    baseUrl: (serverUrl) => (serverUrl ? origin(serverUrl) : undefined),
    key: apiKey,
    apiVersion: (serverUrl) =>
      serverUrl ? (parseUrl(serverUrl)?.searchParams.get('api-version') ?? undefined) : undefined,
  },
  gemini: {
    type: 'gemini',
    baseUrl: (serverUrl) => (serverUrl ? stripEndpoint(serverUrl, ['/models']) : undefined),
    key: apiKey,
    defaultModels: ['gemini-1.5-pro', 'gemini-1.5-flash', 'gemini-1.0-pro', 'gemini-pro-vision'],
  },
  claude: {
    type: 'anthropic',
    baseUrl: (serverUrl) => (serverUrl ? stripEndpoint(serverUrl, ['/v1/messages', '/messages', '/v1']) : undefined),
    key: apiKey,
  },
  vertexai: {
    type: 'vertex',
    baseUrl: () => undefined,
    cloud: (credentials) => {
      const project = text(credentials, 'project_id');
      const region = text(credentials, 'location');
      return { ...(project ? { project } : {}), ...(region ? { region } : {}) };
    },
    // The path of the service-account JSON file simple-one-api signed its access tokens with: the vertex provider
    // reads a key that is a file path.
    key: (credentials) => ({ key: text(credentials, 'json_file') }),
  },
  coze: coze('https://api.coze.cn'),
  cozecn: coze('https://api.coze.cn'),
  cozecom: coze('https://api.coze.com'),
  dify: {
    unsupported: "Dify apps speak Dify's own chat-messages API, and Switchyard has no Dify provider in this version",
  },
  agentbuilder: {
    unsupported: 'Baidu AgentBuilder was retired (simple-one-api dropped it too) and Switchyard has no provider for it',
  },
};

export function vendorFor(service: string): Vendor | Unsupported | undefined {
  return Object.hasOwn(VENDORS, service) ? VENDORS[service] : undefined;
}

export const SERVICE_TYPES: readonly string[] = Object.keys(VENDORS);
