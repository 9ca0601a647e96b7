/** Finds, reads, interpolates, converts and validates the config file, reporting every problem with its path. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { importFittenCodeApi, isFittenCodeApi, looksLikeIni, parseIni } from './import/fitten-code-api.ts';
import { importN1, isN1 } from './import/n-1.ts';
import { importO1Api, isO1Api } from './import/o1-api.ts';
import { importSimpleOneApi, isSimpleOneApi } from './import/simple-one-api.ts';
import { interpolate } from './interpolate.ts';
import { issueProblems } from './issues.ts';
import { checkAliases, checkProviders, checkVirtualModels } from './provider-checks.ts';
import { type Config, configSchema } from './schema.ts';

/** One thing wrong with a config: `path` is where to fix it (`providers[2].keys`, `server.port`, `PORT`). */
export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  /** What was worth saying about the config even though it did not load. */
  readonly warnings: string[];

  constructor(file: string | null, problems: ConfigProblem[], warnings: string[] = []) {
    const lines = problems.map((problem) => `  ${formatProblem(problem)}`).join('\n');
    super(`${file ? `invalid config ${file}` : 'invalid config'}:\n${lines}`);
    this.name = 'ConfigError';
    this.problems = problems;
    this.warnings = warnings;
  }
}

export function formatProblem(problem: ConfigProblem): string {
  return problem.path ? `${problem.path}: ${problem.message}` : problem.message;
}

export type ConfigFormat = 'switchyard' | 'simple-one-api' | 'fitten-code-api' | 'o1-api' | 'n-1';

export interface LoadedConfig {
  config: Config;
  file: string | null;
  format: ConfigFormat;
  warnings: string[];
}

/**
 * Looked for in the working directory, in this order; config.json is simple-one-api's or N-1's, config.yaml o1-api's,
 * config.ini fitten-code-api's.
 */
export const CONFIG_FILE_NAMES = [
  'switchyard.yaml',
  'switchyard.yml',
  'switchyard.json',
  'config.json',
  'config.yaml',
  'config.ini',
] as const;

export function loadConfig(opts: { file?: string | undefined; env: NodeJS.ProcessEnv; cwd?: string }): LoadedConfig {
  const cwd = opts.cwd ?? process.cwd();
  const named = opts.file || opts.env['SWITCHYARD_CONFIG'] || undefined;
  if (named) {
    const file = path.resolve(cwd, named);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(file, [{ path: named, message: readFailure(error) }]);
    }
    return parseConfig(text, file, opts.env);
  }
  const found = CONFIG_FILE_NAMES.map((name) => path.join(cwd, name)).find((file) => existsSync(file));
  if (found) return parseConfig(readFileSync(found, 'utf8'), found, opts.env);
  return buildConfig({}, null, opts.env);
}

/** Parses a config's text (JSON for a .json name, YAML otherwise); throws a ConfigError listing every problem. */
export function parseConfig(text: string, fileName: string, env: NodeJS.ProcessEnv): LoadedConfig {
  return buildConfig(parseText(text, fileName), fileName, env);
}

function parseText(text: string, fileName: string): unknown {
  if (looksLikeIni(text, fileName)) {
    const { document, errors } = parseIni(text);
    if (errors.length > 0) {
      throw new ConfigError(
        fileName,
        errors.map((error) => ({ path: `${fileName}:${error.line}`, message: `invalid INI: ${error.text}` })),
      );
    }
    return document;
  }
  if (path.extname(fileName).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const position = Number(/at position (\d+)/.exec(message)?.[1] ?? text.length);
      const reason = message.replace(/\s*(in JSON )?at position \d+.*$/s, '');
      throw new ConfigError(fileName, [
        { path: location(text, fileName, position), message: `invalid JSON: ${reason}` },
      ]);
    }
  }
  const document = parseDocument(text, { merge: true, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new ConfigError(
      fileName,
      document.errors.map((error) => ({
        path: location(text, fileName, error.pos[0]),
        message: `invalid YAML: ${error.message}`,
      })),
    );
  }
  return document.toJS();
}

/** `file:line:column`, the form editors and terminals turn into a link. */
function location(text: string, fileName: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${fileName}:${before.length}:${before.at(-1)!.length + 1}`;
}

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'config file not found';
  if (code === 'EISDIR') return 'is a directory, not a config file';
  return error instanceof Error ? error.message : String(error);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function buildConfig(document: unknown, file: string | null, env: NodeJS.ProcessEnv): LoadedConfig {
  const { value, unset } = interpolate(document, env);
  const warnings = unset.map(({ name, path }) => `${path}: environment variable ${name} is not set`);
  const problems: ConfigProblem[] = [];
  let format: ConfigFormat = 'switchyard';
  let input: Record<string, unknown> = {};
  let sourcePath = (configPath: string) => configPath;
  if (isSimpleOneApi(value)) {
    const imported = importSimpleOneApi(value);
    format = 'simple-one-api';
    input = imported.config;
    problems.push(...imported.problems);
    warnings.push(...imported.warnings);
    sourcePath = imported.sourcePath;
  } else if (isFittenCodeApi(value)) {
    const imported = importFittenCodeApi(value);
    format = 'fitten-code-api';
    input = imported.config;
    problems.push(...imported.problems);
    warnings.push(...imported.warnings);
    sourcePath = imported.sourcePath;
  } else if (isN1(value) || isO1Api(value)) {
    const imported = isN1(value) ? importN1(value) : importO1Api(value);
    format = isN1(value) ? 'n-1' : 'o1-api';
    input = imported.config;
    problems.push(...imported.problems);
    warnings.push(...imported.warnings);
    sourcePath = imported.sourcePath;
  } else if (isRecord(value)) input = value;
  else if (value != null) problems.push({ path: '', message: 'the config must be a mapping of keys to values' });

  const overridden = applyEnvOverrides(input, env);
  const parsed = configSchema.safeParse(overridden.input);
  const providerCheck = checkProviders(overridden.input);
  warnings.push(...providerCheck.warnings.map((warning) => warning.replace(/^[^:]+/, sourcePath)));
  warnings.push(...checkVirtualModels(overridden.input));
  const found = [
    ...(parsed.success ? [] : issueProblems(parsed.error.issues)),
    ...providerCheck.problems,
    ...checkAliases(overridden.input),
  ];
  problems.push(...found.map((problem) => ({ ...problem, path: sourcePath(problem.path) })), ...overridden.problems);
  if (problems.length > 0 || !parsed.success) throw new ConfigError(file, distinct(problems), warnings);
  return { config: parsed.data, file, format, warnings };
}

/** A split provider can repeat its entry's problem; say it once. */
function distinct(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const line = formatProblem(problem);
    if (seen.has(line)) return false;
    seen.add(line);
    return true;
  });
}

/**
 * The environment wins over the file (SPEC §1), with one-api's names honoured too. A bad value is a problem named
 * after the variable, since that is where the fix goes.
 */
function applyEnvOverrides(
  input: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): { input: Record<string, unknown>; problems: ConfigProblem[] } {
  const result: Record<string, unknown> = { ...input };
  const problems: ConfigProblem[] = [];
  const set = (section: 'server' | 'routing' | 'rate_limits', key: string, value: unknown) => {
    const current = input[section];
    // A malformed section stays as written so the schema reports it.
    if (current === undefined || isRecord(current))
      result[section] = { ...(isRecord(result[section]) ? result[section] : {}), [key]: value };
  };
  const port = env['PORT']?.trim();
  if (port) {
    if (/^\d+$/.test(port) && Number(port) <= 65535) set('server', 'port', Number(port));
    else problems.push({ path: 'PORT', message: `not a port number: "${port}"` });
  }
  const host = env['HOST']?.trim();
  if (host) set('server', 'host', host);
  const database = env['DATABASE_URL'] || env['SQL_DSN'];
  if (database) result['database'] = database;
  const redis = env['REDIS_URL'] || env['REDIS_CONN_STRING'];
  if (redis) result['redis'] = redis;
  const logLevel = env['LOG_LEVEL']?.trim().toLowerCase();
  if (logLevel) {
    const level = configSchema.shape.log_level.safeParse(logLevel);
    if (level.success) result['log_level'] = level.data;
    else
      problems.push({
        path: 'LOG_LEVEL',
        message: `not a log level: "${logLevel}" (use fatal, error, warn, info, debug, trace or silent)`,
      });
  }
  const suspend = env['CHANNEL_SUSPEND_SECONDS_FOR_429']?.trim();
  if (suspend) {
    // one-api's value is whole seconds; a number is seconds to the duration parser too.
    if (/^\d+(\.\d+)?$/.test(suspend)) set('routing', 'cooldown_on_429', Number(suspend));
    else problems.push({ path: 'CHANNEL_SUSPEND_SECONDS_FOR_429', message: `not a number of seconds: "${suspend}"` });
  }
  for (const [name, field] of [
    ['GLOBAL_API_RATE_LIMIT', 'api_per_ip'],
    ['GLOBAL_RELAY_RATE_LIMIT', 'relay_per_token'],
  ] as const) {
    const limit = env[name]?.trim();
    if (!limit) continue;
    if (/^\d+$/.test(limit)) set('rate_limits', field, Number(limit));
    else problems.push({ path: name, message: `not a whole number of requests: "${limit}"` });
  }
  const maxTokens = env['DEFAULT_MAX_TOKEN']?.trim();
  if (maxTokens) {
    if (/^[1-9]\d*$/.test(maxTokens)) set('routing', 'default_max_tokens', Number(maxTokens));
    else problems.push({ path: 'DEFAULT_MAX_TOKEN', message: `not a positive whole number: "${maxTokens}"` });
  }
  return { input: result, problems };
}
