// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text that uses ${VAR} on purpose
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { interpolate, interpolateString } from './interpolate.ts';
import { ConfigError, type ConfigProblem, loadConfig, parseConfig } from './loader.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** The problems a config text produces; fails the test if it loads. */
function problemsOf(text: string, fileName = 'switchyard.yaml', env: NodeJS.ProcessEnv = {}): ConfigProblem[] {
  try {
    parseConfig(text, fileName, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the config loaded, but problems were expected');
}

const provider = (fields: Record<string, unknown>) => ({ name: 'p', type: 'openai', keys: ['k'], ...fields });
const json = (document: unknown) => JSON.stringify(document);

describe('interpolation', () => {
  const env = { KEY: 'sk-1', EMPTY: '' };

  test('${VAR} takes the variable, inside longer strings too', () => {
    expect(interpolateString('${KEY}', env)).toBe('sk-1');
    expect(interpolateString('Bearer ${KEY}!', env)).toBe('Bearer sk-1!');
  });

  test('${VAR:-default} takes the default when the variable is unset or empty', () => {
    expect(interpolateString('${MISSING:-fallback}', env)).toBe('fallback');
    expect(interpolateString('${EMPTY:-fallback}', env)).toBe('fallback');
    expect(interpolateString('${KEY:-fallback}', env)).toBe('sk-1');
    expect(interpolateString('${MISSING:-}', env)).toBe('');
  });

  test('$${VAR} is a literal ${VAR}', () => {
    expect(interpolateString('$${KEY} and ${KEY}', env)).toBe('${KEY} and sk-1');
  });

  test('an unset ${VAR} becomes empty and is reported with its path', () => {
    const result = interpolate({ providers: [{ keys: ['${KEY}', '${GONE}'] }] }, env);
    expect(result.value).toEqual({ providers: [{ keys: ['sk-1', ''] }] });
    expect(result.unset).toEqual([{ name: 'GONE', path: 'providers[0].keys[1]' }]);
  });

  test('applies to strings in nested objects and arrays, never to keys or other values', () => {
    const document = { a: { '${KEY}': ['${KEY}', 3, true, null, { b: '${KEY}' }] } };
    expect(interpolate(document, env).value).toEqual({ a: { '${KEY}': ['sk-1', 3, true, null, { b: 'sk-1' }] } });
  });

  test('a secret with quotes and newlines cannot change the document (YAML and JSON)', () => {
    const secret = 'a"b\'c\n  evil: true\n}';
    const yaml = parseConfig('auth:\n  keys: ["${SECRET}"]\n', 'switchyard.yaml', { SECRET: secret });
    expect(yaml.config.auth.keys).toEqual([secret]);
    const fromJson = parseConfig(json({ auth: { keys: ['${SECRET}'] } }), 'switchyard.json', { SECRET: secret });
    expect(fromJson.config.auth.keys).toEqual([secret]);
  });

  test('an unset key variable is a problem that says so, and a warning that names the variable', () => {
    const text = 'providers:\n  - { name: groq, type: openai, keys: ["${GROQ_KEY}"] }\n';
    try {
      parseConfig(text, 'switchyard.yaml', {});
      expect.unreachable();
    } catch (error) {
      const configError = error as ConfigError;
      expect(configError.problems).toEqual([
        { path: 'providers[0].keys[0]', message: 'empty key (is an environment variable unset?)' },
      ]);
      expect(configError.warnings).toEqual(['providers[0].keys[0]: environment variable GROQ_KEY is not set']);
    }
  });
});

describe('native files', () => {
  test('the SPEC §2 YAML example loads with its units parsed', () => {
    const env = { SWITCHYARD_KEY: 'sk-a', TEAM_KEY: 'sk-team', GROQ_KEY_A: 'gsk-a', GROQ_KEY_B: 'gsk-b' };
    const { config, format, warnings } = parseConfig(fixture('native/spec-example.yaml'), 'switchyard.yaml', env);
    expect(format).toBe('switchyard');
    // The example's ensemble names two models its providers do not serve: fine if channels do, so only a warning.
    expect(warnings).toEqual([
      'models.virtual[1].members[1]: no provider in this file serves "claude-sonnet-4" (a channel made in the admin API must)',
      'models.virtual[1].members[2]: no provider in this file serves "gemini-2.5-pro" (a channel made in the admin API must)',
    ]);
    expect(config.auth.keys).toEqual(['sk-a', expect.objectContaining({ key: 'sk-team', name: 'team-a', rpm: 60 })]);
    expect(config.routing).toMatchObject({ strategy: 'random', retries: 2, cooldown_on_429: 60_000 });
    expect(config.providers[0]).toMatchObject({
      name: 'groq',
      keys: ['gsk-a', 'gsk-b'],
      limits: { rps: 2, rpm: 30, concurrency: 4, timeout: 60_000 },
      proxy: 'http://127.0.0.1:7890',
    });
    expect(config.models.aliases).toEqual({ fast: 'llama-3.1-8b-instant' });
    expect(config.prices['llama-3.3-70b-versatile']).toEqual({ input: 0.59, output: 0.79, cached_input: 0.3 });
  });

  test('a JSON file is read as JSON', () => {
    const { config } = parseConfig(json({ server: { port: 8080 }, providers: [provider({})] }), 'switchyard.json', {});
    expect(config.server.port).toBe(8080);
    expect(config.providers[0]!.name).toBe('p');
  });

  test('an empty YAML file is all defaults', () => {
    const { config } = parseConfig('', 'switchyard.yaml', {});
    expect(config.server).toEqual({
      port: 3000,
      host: '0.0.0.0',
      body_limit: 20 * 1024 * 1024,
      trust_proxy: false,
      header_limit: 32 * 1024,
      request_timeout: 300_000,
      shutdown_timeout: 30_000,
      cors_origins: [],
    });
    expect(config.providers).toEqual([]);
  });

  test('broken JSON names the line and column (simple-one-api docs example missing a comma)', () => {
    // docs/在沉浸式翻译中使用simple-one-api.md (before v0.10.1) lacks the comma after "api_key".
    const problems = problemsOf(fixture('simple-one-api/docs-immersive-translate-broken.json'), 'config.json');
    expect(problems).toEqual([
      { path: 'config.json:3:3', message: expect.stringMatching(/^invalid JSON: Expected ','/) },
    ]);
  });

  test('broken YAML names the line and column', () => {
    const problems = problemsOf('server:\n  port: 3000\n  port: 3001\n');
    expect(problems).toEqual([
      { path: 'switchyard.yaml:3:3', message: expect.stringMatching(/^invalid YAML: .*unique/) },
    ]);
  });

  test('a document that is not a mapping is a problem', () => {
    expect(problemsOf('- a\n- b\n')).toEqual([{ path: '', message: 'the config must be a mapping of keys to values' }]);
  });
});

describe('every problem, with its path', () => {
  test('three mistakes give three problems', () => {
    const text = json({
      server: { port: 'eighty' },
      providers: [provider({ name: 'a' }), provider({ name: 'b', keys: [] }), provider({ name: 'c', type: 'openia' })],
    });
    expect(problemsOf(text, 'switchyard.json')).toEqual([
      { path: 'server.port', message: 'expected number, received string' },
      { path: 'providers[1].keys', message: 'required' },
      {
        path: 'providers[2].type',
        message: expect.stringMatching(/^unknown provider type "openia" \(known: openai, azure, ollama, .*\bgroq\b/),
      },
    ]);
  });

  test('schema, registry and alias problems are reported together', () => {
    const text = json({
      routing: { strategy: 'fastest' },
      colour: 'blue',
      providers: [
        provider({ name: 'dup' }),
        provider({ name: 'dup', limits: { timeout: 'soon' } }),
        { type: 'openai', keys: ['k'] },
      ],
      models: { aliases: { fast: 'no-such-model', 'gpt-4.1': 'm' } },
    });
    const problems = problemsOf(text, 'switchyard.json');
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'colour', message: 'unknown key' },
        { path: 'routing.strategy', message: expect.stringMatching(/^expected one of/) },
        { path: 'providers[1].limits.timeout', message: 'not a duration: "soon" (use e.g. 30s, 500ms, 5m)' },
        { path: 'providers[2].name', message: 'required' },
        { path: 'providers[1].name', message: 'duplicate provider name "dup" (also providers[0])' },
        { path: 'models.aliases.fast', message: 'points at "no-such-model", which no provider serves' },
        { path: 'models.aliases["gpt-4.1"]', message: 'points at "m", which no provider serves' },
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  test('a disabled provider of an unknown type is a warning, not a problem', () => {
    const { warnings } = parseConfig(
      json({ providers: [provider({ type: 'gemeni', enabled: false })] }),
      'switchyard.json',
      {},
    );
    expect(warnings).toEqual([
      expect.stringMatching(/^providers\[0\]\.type: unknown provider type "gemeni" .*\(provider is disabled\)$/),
    ]);
  });

  test("a provider's own validation is reported at its path", () => {
    const problems = problemsOf(
      json({ providers: [provider({ type: 'ollama', keys: [], base_url: 'http://gpu:11434/v1' })] }),
      'x.json',
    );
    expect(problems).toEqual([{ path: 'providers[0].base_url', message: expect.stringMatching(/^ends in \/v1/) }]);
  });

  test('a keyless provider with a base_url is fine (a local OpenAI-compatible server)', () => {
    const text = json({ providers: [provider({ keys: [], base_url: 'http://localhost:8000/v1', models: ['m'] })] });
    expect(parseConfig(text, 'switchyard.json', {}).config.providers[0]!.keys).toEqual([]);
  });

  test('aliases may lead to a model_map name or a virtual model', () => {
    const text = json({
      providers: [provider({ models: ['a'], model_map: { b: 'a' } })],
      models: { aliases: { x: 'b', y: 'think' }, virtual: [{ name: 'think', type: 'reasoning', model: 'a' }] },
    });
    expect(parseConfig(text, 'switchyard.json', {}).config.models.aliases).toEqual({ x: 'b', y: 'think' });
  });

  test("the error's message lists every problem", () => {
    try {
      parseConfig(json({ server: { port: -1 }, providers: [provider({ keys: [] })] }), 'switchyard.json', {});
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe(
        'invalid config switchyard.json:\n  server.port: Too small: expected number to be >=0\n  providers[0].keys: required',
      );
    }
  });
});

describe('environment overrides', () => {
  const text = json({ server: { port: 8080, host: '127.0.0.1' }, database: 'sqlite', log_level: 'info' });

  test('PORT and HOST override server.port and server.host', () => {
    const { config } = parseConfig(text, 'switchyard.json', { PORT: '9000', HOST: '::' });
    expect(config.server).toMatchObject({ port: 9000, host: '::' });
  });

  test('DATABASE_URL wins over SQL_DSN; REDIS_URL over REDIS_CONN_STRING; each alone works too', () => {
    const both = parseConfig(text, 'switchyard.json', {
      DATABASE_URL: 'postgres://a',
      SQL_DSN: 'mysql://b',
      REDIS_URL: 'redis://a',
      REDIS_CONN_STRING: 'redis://b',
    }).config;
    expect([both.database, both.redis]).toEqual(['postgres://a', 'redis://a']);
    const oneApi = parseConfig(text, 'switchyard.json', {
      SQL_DSN: 'root:pw@tcp(db:3306)/oneapi',
      REDIS_CONN_STRING: 'redis://b',
    }).config;
    expect([oneApi.database, oneApi.redis]).toEqual(['root:pw@tcp(db:3306)/oneapi', 'redis://b']);
  });

  test("LOG_LEVEL and one-api's CHANNEL_SUSPEND_SECONDS_FOR_429 and DEFAULT_MAX_TOKEN", () => {
    const { config } = parseConfig(text, 'switchyard.json', {
      LOG_LEVEL: 'DEBUG',
      CHANNEL_SUSPEND_SECONDS_FOR_429: '30',
      DEFAULT_MAX_TOKEN: '2048',
    });
    expect(config.log_level).toBe('debug');
    expect(config.routing.cooldown_on_429).toBe(30_000);
    expect(config.routing.default_max_tokens).toBe(2048);
  });

  test('overrides apply to a simple-one-api file too', () => {
    const { config } = parseConfig(json({ server_port: ':9090', services: {} }), 'config.json', { PORT: '3001' });
    expect(config.server.port).toBe(3001);
  });

  test('a bad value is a problem named after the variable', () => {
    expect(
      problemsOf(text, 'switchyard.json', {
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        CHANNEL_SUSPEND_SECONDS_FOR_429: 'x',
        DEFAULT_MAX_TOKEN: '-5',
      }),
    ).toEqual([
      { path: 'PORT', message: 'not a port number: "eighty"' },
      { path: 'LOG_LEVEL', message: expect.stringMatching(/^not a log level: "loud"/) },
      { path: 'CHANNEL_SUSPEND_SECONDS_FOR_429', message: 'not a number of seconds: "x"' },
      { path: 'DEFAULT_MAX_TOKEN', message: 'not a positive whole number: "-5"' },
    ]);
  });
});

describe('file selection', () => {
  let directory: string;
  const make = (files: Record<string, string>) => {
    directory = mkdtempSync(path.join(tmpdir(), 'switchyard-config-'));
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(directory, name), content);
    return directory;
  };
  const port = (n: number) => `server: { port: ${n} }\n`;
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  test('no file: all defaults, file null', () => {
    const loaded = loadConfig({ env: {}, cwd: make({}) });
    expect(loaded).toMatchObject({ file: null, format: 'switchyard', warnings: [] });
    expect(loaded.config.server.port).toBe(3000);
  });

  test('no file still takes the environment', () => {
    expect(loadConfig({ env: { PORT: '4000' }, cwd: make({}) }).config.server.port).toBe(4000);
  });

  test('switchyard.yaml, then .yml, then .json, then config.json', () => {
    const all = {
      'switchyard.yaml': port(1001),
      'switchyard.yml': port(1002),
      'switchyard.json': json({ server: { port: 1003 } }),
      'config.json': json({ server_port: ':1004', services: {} }),
    };
    const order = Object.keys(all);
    for (const [index, name] of order.entries()) {
      const files = Object.fromEntries(order.slice(index).map((file) => [file, all[file as keyof typeof all]]));
      const cwd = make(files);
      const loaded = loadConfig({ env: {}, cwd });
      expect([path.basename(loaded.file!), loaded.config.server.port]).toEqual([name, 1001 + index]);
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test("config.json in the working directory is simple-one-api's file", () => {
    const loaded = loadConfig({
      env: {},
      cwd: make({ 'config.json': fixture('simple-one-api/samples-config_ollama.json') }),
    });
    expect(loaded.format).toBe('simple-one-api');
    expect(loaded.config.providers[0]!.type).toBe('ollama');
  });

  test('SWITCHYARD_CONFIG beats the default names; opts.file beats SWITCHYARD_CONFIG; both resolve against cwd', () => {
    const cwd = make({ 'switchyard.yaml': port(1), 'env.yaml': port(2), 'flag.yaml': port(3) });
    expect(loadConfig({ env: { SWITCHYARD_CONFIG: 'env.yaml' }, cwd }).config.server.port).toBe(2);
    const flagged = loadConfig({ file: 'flag.yaml', env: { SWITCHYARD_CONFIG: 'env.yaml' }, cwd });
    expect(flagged.config.server.port).toBe(3);
    expect(flagged.file).toBe(path.join(cwd, 'flag.yaml'));
  });

  test('a named file that does not exist is a problem, not a silent fallback to defaults', () => {
    const cwd = make({ 'switchyard.yaml': port(1) });
    expect(() => loadConfig({ file: 'missing.yaml', env: {}, cwd })).toThrow(ConfigError);
    try {
      loadConfig({ file: 'missing.yaml', env: {}, cwd });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([{ path: 'missing.yaml', message: 'config file not found' }]);
    }
  });
});

test("a virtual model's models that no provider in the file serves are named in a warning", () => {
  const { warnings } = parseConfig(
    JSON.stringify({
      providers: [{ name: 'a', type: 'openai', base_url: 'https://a.example/v1', keys: ['k'], models: ['m1'] }],
      models: {
        aliases: { fast: 'm1' },
        virtual: [
          { name: 'council', type: 'ensemble', members: ['m1', 'fast', 'ghost'], summarizer: 'm1' },
          { name: 'deep', type: 'reasoning', model: 'council' },
          { name: 'lost', type: 'reasoning', model: 'nowhere' },
        ],
      },
    }),
    'switchyard.json',
    {},
  );
  expect(warnings).toEqual([
    'models.virtual[0].members[2]: no provider in this file serves "ghost" (a channel made in the admin API must)',
    'models.virtual[2].model: no provider in this file serves "nowhere" (a channel made in the admin API must)',
  ]);
});
