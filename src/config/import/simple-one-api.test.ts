// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text that uses ${VAR} on purpose
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ConfigError, type LoadedConfig, parseConfig } from '../loader.ts';
import { importSimpleOneApi, isSimpleOneApi } from './simple-one-api.ts';

// Fixtures are copied verbatim from github.com/fruitbars/simple-one-api: `samples-*` from samples/ at v0.10.4,
// `samples-config_cozecom-v0.9.json` from samples/ before v0.10.1 (3955e89^), `docs-config-detail-*` from
// "docs/config.json详细说明.md" at d8f2f67, other `docs-*` from the named guide, `readme-*` from README.md / README.EN.md.
const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/simple-one-api/${name}`, import.meta.url), 'utf8');
const convert = (document: Record<string, unknown>) => importSimpleOneApi(document);
const convertFixture = (name: string) => convert(JSON.parse(fixture(name)));
const load = (name: string, env: NodeJS.ProcessEnv = {}): LoadedConfig => parseConfig(fixture(name), name, env);

/** The ConfigError a config text (or, given `name` only, a fixture) raises on load. */
function loadError(name: string, env: NodeJS.ProcessEnv = {}, text = fixture(name)): ConfigError {
  try {
    parseConfig(text, name, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`${name} loaded, but a ConfigError was expected`);
}

const entry = (fields: Record<string, unknown>) => ({
  enabled: true,
  models: ['m'],
  credentials: { api_key: 'k' },
  ...fields,
});

describe('documented samples load as routes', () => {
  test.each([
    ['samples-config_deepseek.json', 'https://api.deepseek.com/v1', ['deepseek-chat']],
    [
      'samples-config_groq.json',
      'https://api.groq.com/openai/v1',
      ['llama3-70b-8192', 'llama3-8b-8192', 'gemma-7b-it', 'mixtral-8x7b-32768'],
    ],
    ['samples-config_zhipu.json', 'https://open.bigmodel.cn/api/paas/v4', ['glm-4', 'glm-3-turbo']],
    ['samples-config_aliyun.json', 'https://dashscope.aliyuncs.com/compatible-mode/v1', ['qwen-plus']],
    [
      'samples-config_cloudflare.json',
      'https://api.cloudflare.com/client/v4/accounts/xxx/ai/v1',
      ['@cf/meta/llama-2-7b-chat-int8'],
    ],
    [
      'samples-config_llama_familly.json',
      'https://api.atomecho.cn/v1',
      ['Atom-13B-Chat', 'Atom-7B-Chat', 'Atom-1B-Chat', 'Llama3-Chinese-8B-Instruct'],
    ],
  ])('%s: an OpenAI-compatible provider at the chat URL without /chat/completions', (name, baseUrl, models) => {
    const { config, format, warnings } = load(name);
    expect(format).toBe('simple-one-api');
    expect(warnings).toEqual([]);
    expect(config.routing.strategy).toBe('random');
    expect(config.providers).toHaveLength(1);
    expect(config.providers[0]).toMatchObject({
      name: 'openai',
      type: 'openai',
      base_url: baseUrl,
      keys: ['xxx'],
      models,
    });
  });

  test('samples/config_ollama.json: a keyless ollama provider at the server root', () => {
    const { config } = load('samples-config_ollama.json');
    expect(config.server.port).toBe(9090);
    expect(config.providers).toEqual([
      expect.objectContaining({
        name: 'ollama',
        type: 'ollama',
        base_url: 'http://127.0.0.1:11434',
        keys: [],
        models: ['llama2'],
      }),
    ]);
  });

  test('samples/config_azure_openai.json: the resource origin, the api-version from the URL, the model as deployment', () => {
    const { config } = load('samples-config_azure_openai.json');
    expect(config.providers[0]).toMatchObject({
      type: 'azure',
      base_url: 'https://your_resource_name.openai.azure.com',
      api_version: '2024-02-01',
      keys: ['xxx'],
      models: ['ada'],
    });
  });

  test('samples/config_siliconflow.cn.json: model_redirect names route to their upstream model, port 9099', () => {
    const { config } = load('samples-config_siliconflow.cn.json');
    expect(config.server.port).toBe(9099);
    expect(config.providers[0]).toMatchObject({
      base_url: 'https://api.siliconflow.cn/v1',
      model_map: {
        'deepseek-v2-chat': 'deepseek-ai/deepseek-v2-chat',
        'Qwen2-72B-Instruct': 'alibaba/Qwen2-72B-Instruct',
      },
    });
    expect(config.providers[0]!.models).toHaveLength(16);
  });

  test('docs (OpenAI-compatible guide): the NVIDIA example keeps all 45 short names', () => {
    const { config } = load('docs-openai-compatible-nvidia.json');
    const [nvidia] = config.providers;
    expect(nvidia).toMatchObject({ base_url: 'https://integrate.api.nvidia.com/v1', keys: ['nvapi--xxx'] });
    expect(Object.keys(nvidia!.model_map)).toHaveLength(45);
    expect(nvidia!.model_map['yi-large']).toBe('01-ai/yi-large');
    expect(nvidia!.model_map['solar-10.7b-instruct']).toBe('upstage/solar-10.7b-instruct');
  });

  test('samples/config_web.json and the README minimal config load with no provider on their port', () => {
    expect(load('samples-config_web.json').config.server.port).toBe(19090);
    const minimal = load('readme-minimal-web.json');
    expect(minimal.config.server).toMatchObject({ port: 9090, host: '0.0.0.0' });
    expect(minimal.config.providers).toEqual([]);
    expect(minimal.config.log_level).toBe('info');
  });

  test('docs/configuration-reference.md: circuit_breaker is accepted with a warning that says what happens instead', () => {
    const { warnings } = load('docs-configuration-reference-web.json');
    expect(warnings).toEqual([expect.stringMatching(/^circuit_breaker: not imported; Switchyard retries/)]);
  });
});

// simple-one-api's samples/config_qianfan.json models, which are also its defaults for the service.
const QIANFAN_MODELS = [
  'yi_34b_chat',
  'ERNIE-Speed-8K',
  'ERNIE-Speed-128K',
  'ERNIE-Lite-8K',
  'ERNIE-Lite-8K-0922',
  'ERNIE-Tiny-8K',
];

describe('vendors', () => {
  test('samples/config.json (and the root config.json, the same file): every route, signing vendors natively', () => {
    const { config, warnings } = load('samples-config.json');
    expect(config.providers.map(({ name, type, base_url, keys }) => [name, type, base_url, keys])).toEqual([
      ['xinghuo', 'openai', 'https://spark-api-open.xf-yun.com/v1', ['xxx:xxx']],
      ['qianfan', 'qianfan', undefined, ['xxx:xxx']],
      ['hunyuan', 'hunyuan', undefined, ['xxx:xxx']],
      ['openai-1', 'openai', 'https://api.deepseek.com/v1', ['xxx']],
      ['openai-2', 'openai', 'https://api.cloudflare.com/client/v4/accounts/xxx/ai/v1', ['xxx']],
      ['openai-3', 'openai', 'https://open.bigmodel.cn/api/paas/v4', ['xxx']],
      ['minimax', 'openai', 'https://api.minimax.chat/v1', ['xxx']],
    ]);
    // Qianfan's model names stay as they are: the provider knows their endpoints.
    expect(config.providers[1]).toMatchObject({
      models: QIANFAN_MODELS,
      model_map: {},
    });
    expect(config.providers[2]!.models).toEqual(['hunyuan-lite']);
    // Only the vendors still reached differently from simple-one-api are said so.
    expect(warnings).toEqual([
      expect.stringMatching(/^services\.xinghuo: /),
      expect.stringMatching(/^services\.minimax: /),
    ]);
  });

  test.each([
    ['samples-config_qianfan.json', 'qianfan', 'qianfan'],
    ['samples-config_hunyuan.json', 'hunyuan', 'hunyuan'],
    ['samples-config_huoshan.json', 'huoshan', 'ark'],
    ['docs-huoshan-model-map.json', 'huoshan', 'ark'],
  ])('%s loads: its key pair becomes one ID:SECRET key of a %s entry (type %s)', (name, service, type) => {
    const { config } = load(name);
    expect(config.providers).toEqual([expect.objectContaining({ name: service, type, keys: ['xxx:xxx'] })]);
  });

  test('docs multi-vendor example loads every vendor, spark through its HTTP API', () => {
    const { config } = load('docs-config-detail-multi-vendor.json');
    expect(config.providers.map(({ name, type }) => [name, type])).toEqual([
      ['qianfan', 'qianfan'],
      ['xinghuo', 'openai'],
      ['hunyuan', 'hunyuan'],
      ['openai', 'openai'],
      ['minimax', 'openai'],
    ]);
  });

  test('the v0.9 cozecom sample (its v2 chat URL) loads as a coze provider at that origin, the token its key', () => {
    const { config } = load('samples-config_cozecom-v0.9.json');
    expect(config.providers.map(({ type, base_url, keys, models }) => [type, base_url, keys, models])).toEqual([
      ['coze', 'https://api.coze.com', ['xxx'], ['xxx']],
    ]);
  });

  test('docs model_redirect example converts like the siliconflow sample it was written from', () => {
    const documented = load('docs-config-detail-model-redirect.json').config;
    expect(documented.providers).toEqual(load('samples-config_siliconflow.cn.json').config.providers);
  });

  test('xinghuo: Spark HTTP API, api_key:api_secret as the key, WebSocket model names mapped to HTTP ones', () => {
    const { config, warnings } = load('samples-config_xinghuo.json');
    expect(config.providers[0]).toMatchObject({
      keys: ['xxx:xxx'],
      models: ['spark-lite'],
      model_map: { 'spark-lite': 'lite' },
    });
    expect(warnings).toEqual([expect.stringMatching(/^services\.xinghuo: .*api_password/)]);
    const imported = convert({
      services: { xinghuo: [entry({ models: ['spark-max', 'spark-pro-128k'], credentials: { api_password: 'pw' } })] },
    });
    expect(imported.config.providers![0]).toMatchObject({
      keys: ['pw'],
      model_map: { 'spark-max': 'generalv3.5', 'spark-pro-128k': 'pro-128k' },
    });
  });

  test('huoshan: the documented access keys route as an Ark key pair; an Ark API key wins; bot- models under /bots', () => {
    const documented = JSON.parse(fixture('docs-huoshan-model-map.json'));
    expect(convert(documented).config.providers).toEqual([
      expect.objectContaining({
        name: 'huoshan',
        type: 'ark',
        base_url: 'https://ark.cn-beijing.volces.com/api/v3',
        keys: ['xxx:xxx'],
        models: ['doubao32k'],
        model_map: { doubao32k: 'ep-20240612090709-hzjz5' },
      }),
    ]);
    documented.services.huoshan[0].credentials = { api_key: 'ark-key', access_key: 'ak', secret_key: 'sk' };
    documented.services.huoshan[0].models.push('bot-2024-abc');
    const { config, problems } = convert(documented);
    expect(problems).toEqual([]);
    expect(config.providers).toEqual([
      expect.objectContaining({ name: 'huoshan', type: 'ark', keys: ['ark-key'], models: ['doubao32k'] }),
      expect.objectContaining({
        name: 'huoshan-bots',
        type: 'ark',
        base_url: 'https://ark.cn-beijing.volces.com/api/v3/bots',
        models: ['bot-2024-abc'],
      }),
    ]);
  });

  test('huoshan: an access key without its secret is a problem at the credentials', () => {
    const { problems } = convert({ services: { huoshan: [entry({ credentials: { access_key: 'ak' } })] } });
    expect(problems).toEqual([
      {
        path: 'services.huoshan[0].credentials',
        message: 'needs both access_key and secret_key, or an Ark API key as api_key',
      },
    ]);
  });

  test('huoshan: access keys reach only endpoint and bot IDs, so a preset model name does not load', () => {
    const documented = JSON.parse(fixture('docs-huoshan-model-map.json'));
    documented.services.huoshan[0].models.push('doubao-seed-1-6');
    expect(loadError('config.json', {}, JSON.stringify(documented)).problems).toEqual([
      {
        path: 'services.huoshan[0].models[1]',
        message: expect.stringMatching(/^'doubao-seed-1-6' is not an endpoint/),
      },
    ]);
  });

  test('qianfan: api_key and secret_key become one key; omitted models use the defaults', () => {
    const { config, problems } = convert({
      services: { qianfan: [{ enabled: true, credentials: { api_key: 'ak', secret_key: 'sk' } }] },
    });
    expect(problems).toEqual([]);
    expect(config.providers![0]).toEqual({
      name: 'qianfan',
      type: 'qianfan',
      enabled: true,
      keys: ['ak:sk'],
      models: QIANFAN_MODELS,
    });
  });

  test.each([
    ['qianfan', { api_key: 'bce-v3/ALTAK-x/y' }, /server_url https:\/\/qianfan\.baidubce\.com\/v2/],
    ['hunyuan', { api_key: 'sk-hunyuan' }, /server_url https:\/\/api\.hunyuan\.cloud\.tencent\.com\/v1/],
    ['hunyuan', { secret_id: 'id' }, /^needs both secret_id and secret_key$/],
  ])(
    '%s: credentials simple-one-api could not sign with are a problem that says what to write',
    (service, credentials, message) => {
      const { problems } = convert({ services: { [service]: [entry({ credentials })] } });
      expect(problems).toEqual([
        { path: `services.${service}[0].credentials`, message: expect.stringMatching(message) },
      ]);
    },
  );

  test('an enabled qianfan or hunyuan entry without credentials is a problem at its credentials', () => {
    expect(
      loadError('config.json', {}, JSON.stringify({ services: { hunyuan: [entry({ credentials: {} })] } })).problems,
    ).toEqual([{ path: 'services.hunyuan[0].credentials', message: 'required: SECRET_ID:SECRET_KEY' }]);
  });

  test('gemini, claude, vertexai and coze map to their native provider types', () => {
    const { config } = convertFixture('samples-config_gemini.json');
    expect(config.providers![0]).toMatchObject({ type: 'gemini', keys: ['xxx'], models: ['gemini-1.5-flash'] });
    const native = convert({
      services: {
        claude: [entry({ server_url: 'https://api.anthropic.com/v1/messages' })],
        vertexai: [entry({ credentials: { project_id: 'p', location: 'us-central1', json_file: '/sa.json' } })],
        cozecn: [entry({ credentials: { token: 't' } })],
      },
    });
    expect(native.config.providers!.map(({ type, base_url, keys }) => [type, base_url, keys])).toEqual([
      ['anthropic', 'https://api.anthropic.com', ['k']],
      ['vertex', undefined, ['/sa.json']],
      ['coze', 'https://api.coze.cn', ['t']],
    ]);
    expect(native.config.providers![1]).toMatchObject({ project: 'p', region: 'us-central1' });
  });

  test('README.EN (v0.9) cozecom example: the token is the key, qps 2 waiting up to 10s for a slot', () => {
    const { config } = convertFixture('readme-en-v0.9-cozecom-limit.json');
    expect(config.providers![0]).toMatchObject({
      name: 'cozecom',
      type: 'coze',
      base_url: 'https://api.coze.com',
      keys: ['xxx'],
      limits: { rps: 2, queue_timeout: 10 },
    });
  });

  test('a service Switchyard cannot serve is a problem when enabled and a warning when disabled', () => {
    const imported = convert({
      services: { dify: [entry({}), entry({ enabled: false })], wenxin: [entry({})] },
    });
    expect(imported.problems).toEqual([
      { path: 'services.dify[0]', message: expect.stringMatching(/no Dify provider/) },
      { path: 'services.wenxin', message: 'unknown service type "wenxin"' },
    ]);
    expect(imported.warnings).toEqual([expect.stringMatching(/^services\.dify\[1\]: .*disabled entry, not imported/)]);
    expect(imported.config.providers).toEqual([]);
  });

  test('the openai service without server_url picks the URL from the model prefix, as simple-one-api did', () => {
    const { config } = convert({ services: { openai: [entry({ models: ['gpt-4o', 'glm-4', 'deepseek-chat'] })] } });
    expect(config.providers!.map(({ name, base_url, models }) => [name, base_url, models])).toEqual([
      ['openai', undefined, ['gpt-4o']],
      ['openai-bigmodel', 'https://open.bigmodel.cn/api/paas/v4', ['glm-4']],
      ['openai-deepseek', 'https://api.deepseek.com/v1', ['deepseek-chat']],
    ]);
  });
});

describe('limits and timeouts', () => {
  test('docs limit example: qps becomes rps and limit.timeout is the wait for a slot (queue_timeout), in seconds', () => {
    const { config } = load('docs-config-detail-limit.json');
    expect(config.providers[0]!.limits).toEqual({ rps: 2, queue_timeout: 10_000 });
  });

  test('samples/config_gemini.json: rpm 15 with a 120s wait', () => {
    expect(convertFixture('samples-config_gemini.json').config.providers![0]!.limits).toEqual({
      rpm: 15,
      queue_timeout: 120,
    });
  });

  test("the entry's timeout bounds the upstream request; qpm wins over rpm; concurrency is whole", () => {
    const { config, warnings } = convert({
      services: { openai: [entry({ timeout: 45, limit: { qpm: 30, rpm: 99, concurrency: 2.7 } })] },
    });
    expect(config.providers![0]!.limits).toEqual({ rpm: 30, concurrency: 2, timeout: 45 });
    expect(warnings).toEqual([
      'services.openai[0].limit: simple-one-api enforced only qpm (the first of qps, qpm, rpm, concurrency); Switchyard enforces qpm, rpm, concurrency together',
    ]);
  });

  test('embedding_limit gives embeddings their own provider; equal limits keep one', () => {
    const split = convert({
      services: {
        openai: [
          entry({ embedding_models: ['text-embedding-3-small'], limit: { qps: 1 }, embedding_limit: { qpm: 100 } }),
        ],
      },
    });
    expect(
      split.config.providers!.map(({ name, models, embedding_models, limits }) => [
        name,
        models,
        embedding_models,
        limits,
      ]),
    ).toEqual([
      ['openai', ['m'], undefined, { rps: 1 }],
      ['openai-embeddings', [], ['text-embedding-3-small'], { rpm: 100 }],
    ]);
    const joined = convert({ services: { openai: [entry({ embedding_models: ['e'] })] } });
    expect(joined.config.providers).toEqual([expect.objectContaining({ models: ['m'], embedding_models: ['e'] })]);
  });

  test('credentials with limits of their own become one provider per key when the entry sets none', () => {
    const { config } = convert({
      services: {
        groq: [
          entry({
            credential_list: [
              { api_key: 'a', limit: { rpm: 30 } },
              { api_key: 'b', limit: { rpm: 60 } },
            ],
          }),
        ],
      },
    });
    expect(config.providers!.map(({ name, keys, limits }) => [name, keys, limits])).toEqual([
      ['groq-key1', ['a'], { rpm: 30 }],
      ['groq-key2', ['b'], { rpm: 60 }],
    ]);
  });

  test('a negative limit is a problem at its path', () => {
    const { problems } = convert({ services: { openai: [entry({ limit: { qps: -1 } })] } });
    expect(problems).toEqual([{ path: 'services.openai[0].limit.qps', message: 'must not be negative' }]);
  });
});

describe('routing', () => {
  test('load_balancing "first" is priority in declaration order across services', () => {
    const { config } = convert({
      load_balancing: 'first',
      services: { openai: [entry({}), entry({})], groq: [entry({})] },
    });
    expect(config.routing!.strategy).toBe('priority');
    expect(config.providers!.map(({ name, priority }) => [name, priority])).toEqual([
      ['openai-1', 0],
      ['openai-2', 1],
      ['groq', 2],
    ]);
  });

  test.each([
    ['random', 'random'],
    ['rand', 'random'],
    ['round_robin', 'round-robin'],
    ['RR', 'round-robin'],
    ['hash', 'random'],
    [undefined, 'random'],
  ])('load_balancing %s becomes %s', (loadBalancing, strategy) => {
    const { config, problems } = convert({ load_balancing: loadBalancing, services: {} });
    expect(problems).toEqual([]);
    expect(config.routing!.strategy).toBe(strategy);
  });

  test('an unknown load_balancing is a problem', () => {
    expect(convert({ load_balancing: 'fastest', services: {} }).problems).toEqual([
      { path: 'load_balancing', message: 'supported values: first, random, round_robin, hash' },
    ]);
  });

  test('an entry without "enabled": true stays disabled, with a warning', () => {
    const { config, warnings } = convert({ services: { openai: [{ models: ['m'], credentials: { api_key: 'k' } }] } });
    expect(config.providers![0]!.enabled).toBe(false);
    expect(warnings).toEqual([expect.stringMatching(/^services\.openai\[0\]: no "enabled": true/)]);
  });

  test('entries are named by id, by service, or by service and position', () => {
    const { config } = convert({ services: { openai: [entry({ id: 'main' }), entry({})], groq: [entry({})] } });
    expect(config.providers!.map((provider) => provider.name)).toEqual(['main', 'openai-2', 'groq']);
  });

  test('credential_list entries are the keys, and credentials beside them is ignored with a warning', () => {
    const { config, warnings } = convert({
      services: { openai: [entry({ credential_list: [{ api_key: 'a' }, { api_key: 'b' }] })] },
    });
    expect(config.providers![0]!.keys).toEqual(['a', 'b']);
    expect(warnings).toEqual([
      'services.openai[0].credentials: ignored because credential_list is set (as in simple-one-api)',
    ]);
  });

  test('docs multi-credential example: two entries of one model balance as two providers', () => {
    const { config } = load('docs-config-detail-multi-credentials.json');
    expect(config.providers.map(({ name, models }) => [name, models])).toEqual([
      ['xinghuo-1', ['spark-lite']],
      ['xinghuo-2', ['spark-lite']],
    ]);
    expect(config.auth.keys).toEqual(['123456']);
  });

  test('model_redirect is applied before model_map, as simple-one-api resolved names', () => {
    const { config } = convert({
      services: {
        openai: [
          entry({ models: ['gpt-4'], model_redirect: { smart: 'gpt-4' }, model_map: { 'gpt-4': 'gpt-4-0613' } }),
        ],
      },
    });
    expect(config.providers![0]!.model_map).toEqual({ 'gpt-4': 'gpt-4-0613', smart: 'gpt-4-0613' });
  });
});

describe('top-level settings', () => {
  test.each([
    [':9090', { port: 9090 }],
    ['127.0.0.1:8080', { port: 8080, host: '127.0.0.1' }],
    ['[::1]:9000', { port: 9000, host: '::1' }],
    [undefined, { port: 9090 }],
  ])('server_port %s', (serverPort, server) => {
    expect(convert({ server_port: serverPort, services: {} }).config.server).toEqual(server);
  });

  test('a malformed server_port is a problem at server_port', () => {
    expect(convert({ server_port: '9090', services: {} }).problems).toEqual([
      { path: 'server_port', message: 'must be in :9090 or host:port format' },
    ]);
  });

  test('api_keys allow the models listed under any service; "*" allows all', () => {
    const { config } = convert({
      api_keys: [
        { api_key: 'team', supported_models: { openai: ['gpt-4o'], groq: ['llama3-8b-8192'] } },
        { api_key: 'admin', supported_models: { all: ['*'] } },
      ],
      services: {},
    });
    expect(config.auth!.keys).toEqual([{ key: 'team', models: ['gpt-4o', 'llama3-8b-8192'] }, 'admin']);
  });

  test('with api_key set, only api_key is imported: simple-one-api refused the other api_keys', () => {
    const { config, warnings } = convert({
      api_key: 'master',
      api_keys: [{ api_key: 'master', supported_models: { openai: ['m'] } }, { api_key: 'other' }],
      services: {},
    });
    expect(config.auth!.keys).toEqual([{ key: 'master', models: ['m'] }]);
    expect(warnings).toEqual([expect.stringMatching(/^api_keys: 1 key\(s\) other than api_key not imported/)]);
  });

  test('the global model_redirect becomes aliases; "all" and "random" have no equivalent and are said so', () => {
    const { config, warnings } = convert({
      model_redirect: { 'gpt-4o': 'deepseek-chat', all: 'deepseek-chat', surprise: 'random' },
      services: {},
    });
    expect(config.models!.aliases).toEqual({ 'gpt-4o': 'deepseek-chat' });
    expect(warnings).toHaveLength(2);
  });

  test('an alias to a model no entry serves is a problem at its model_redirect path', () => {
    const text = JSON.stringify({ model_redirect: { fast: 'nowhere' }, services: { openai: [entry({})] } });
    expect(() => parseConfig(text, 'config.json', {})).toThrow(ConfigError);
    try {
      parseConfig(text, 'config.json', {});
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        { path: 'model_redirect.fast', message: 'points at "nowhere", which no provider serves' },
      ]);
    }
  });

  test('README.EN (v0.9) "qpi_key" typo: an unknown key is accepted with a warning, so the open gateway is noticed', () => {
    const { warnings, config } = load('readme-en-v0.9-qpi-key.json');
    expect(warnings).toEqual(['qpi_key: unknown key, ignored']);
    expect(config.auth.keys).toEqual([]);
  });

  test('log levels: prodj is info, dev is debug, an unknown one is a problem', () => {
    expect(convert({ log_level: 'prodj', services: {} }).config.log_level).toBe('info');
    expect(convert({ log_level: 'dev', services: {} }).config.log_level).toBe('debug');
    expect(convert({ log_level: 'loud', services: {} }).problems).toEqual([
      { path: 'log_level', message: 'unsupported log level' },
    ]);
  });

  test('ignored features that change behaviour get one warning each', () => {
    const { warnings } = convert({
      params_range: { 'gpt-4o': { temperatureRange: { min: 0, max: 1 } } },
      multi_content_models: ['my-vision-model'],
      translation: { enable: true },
      debug: true,
      enable_web: true,
      services: {},
    });
    expect(warnings.map((warning) => warning.split(':')[0])).toEqual([
      'params_range',
      'multi_content_models',
      'translation',
    ]);
  });
});

describe('proxy', () => {
  const services = {
    openai: [
      entry({ id: 'plain' }),
      entry({ id: 'opted-in', use_proxy: true }),
      entry({ id: 'opted-out', use_proxy: false }),
    ],
  };
  // The proxy block is the one in docs/configuration-reference.md; only the strategy varies.
  const documented = {
    type: 'http',
    http_proxy: 'http://127.0.0.1:7890',
    https_proxy: 'http://127.0.0.1:7890',
    timeout: 30,
  };
  const proxies = (strategy: string) => {
    const { config } = convert({ proxy: { ...documented, strategy }, services });
    return { global: config.proxy, providers: config.providers!.map((provider) => provider.proxy) };
  };

  test('"default": only services with use_proxy: true', () => {
    expect(proxies('default')).toEqual({
      global: undefined,
      providers: [undefined, 'http://127.0.0.1:7890', undefined],
    });
  });

  test('"all": every service but those with use_proxy: false', () => {
    expect(proxies('all')).toEqual({ global: 'http://127.0.0.1:7890', providers: [undefined, undefined, false] });
  });

  test('"force_all": every service, use_proxy: false included', () => {
    expect(proxies('force_all')).toEqual({
      global: 'http://127.0.0.1:7890',
      providers: [undefined, undefined, undefined],
    });
  });

  test('"disabled" (also the default): none, with a warning that the address is unused', () => {
    const { config, warnings } = convert({ proxy: documented, services });
    expect(config.proxy).toBeUndefined();
    expect(config.providers!.map((provider) => provider.proxy)).toEqual([undefined, undefined, undefined]);
    expect(warnings).toEqual([expect.stringMatching(/^proxy: strategy is "disabled"/)]);
  });

  test('socks5 addresses without a scheme get one', () => {
    const { config } = convert({
      proxy: { strategy: 'all', type: 'socks5', socks5_proxy: '127.0.0.1:1080' },
      services: {},
    });
    expect(config.proxy).toBe('socks5://127.0.0.1:1080');
  });

  test('docs legacy proxy example (no strategy, before v0.9.1): every service goes through it', () => {
    const { config, warnings } = convertFixture('docs-config-detail-legacy-proxy.json');
    expect(config.proxy).toBe('http://127.0.0.1:7890');
    expect(config.providers![0]!.proxy).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/^proxy: the pre-v0\.9\.1 form/)]);
  });

  test('an enabled proxy without an address is a problem', () => {
    expect(convert({ proxy: { strategy: 'all', type: 'http' }, services: {} }).problems).toEqual([
      { path: 'proxy.http_proxy', message: 'an HTTP or HTTPS proxy URL is required' },
    ]);
  });
});

describe('shape and problems', () => {
  test('detection: services or server keys without providers', () => {
    expect(isSimpleOneApi({ services: {} })).toBe(true);
    expect(isSimpleOneApi({ server_port: ':9090' })).toBe(true);
    expect(isSimpleOneApi({ load_balancing: 'first' })).toBe(true);
    expect(isSimpleOneApi({ services: {}, providers: [] })).toBe(false);
    expect(isSimpleOneApi({ server: { port: 1 } })).toBe(false);
  });

  test('a simple-one-api YAML file loads like its JSON', () => {
    const yaml =
      'server_port: ":9090"\nservices:\n  deepseek:\n    - enabled: true\n      credentials: { api_key: "${DS_KEY}" }\n';
    const { config, format } = parseConfig(yaml, 'config.yaml', { DS_KEY: 'sk-ds' });
    expect(format).toBe('simple-one-api');
    expect(config.providers[0]).toMatchObject({
      type: 'openai',
      base_url: 'https://api.deepseek.com/v1',
      keys: ['sk-ds'],
      models: ['deepseek-chat', 'deepseek-coder'],
    });
  });

  test('problems found after conversion point at the simple-one-api field to edit', () => {
    const text = JSON.stringify({
      services: {
        openai: [entry({ server_url: 'not a url', credentials: {} }), entry({ credential_list: [{ api_key: '' }] })],
      },
    });
    try {
      parseConfig(text, 'config.json', {});
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems.map((problem) => problem.path)).toEqual([
        'services.openai[0].server_url',
        'services.openai[1].credential_list',
      ]);
    }
  });

  test('a service that is not a list is reported and the other services still convert', () => {
    const { problems, config } = convert({ services: { openai: { models: ['m'] }, groq: [entry({})] } });
    expect(problems).toEqual([{ path: 'services.openai', message: 'expected an array of entries' }]);
    expect(config.providers!.map((provider) => provider.name)).toEqual(['groq']);
  });

  test('a field of the wrong type is reported and the rest still converts', () => {
    const { problems, config } = convert({
      services: { openai: [entry({ embedding_models: 'e' }), entry({ id: 'fine' })] },
    });
    expect(problems).toEqual([
      { path: 'services.openai[0].embedding_models', message: 'expected array, received string' },
    ]);
    expect(config.providers!.map((provider) => provider.name)).toEqual(['openai-1', 'fine']);
  });
});
