/** Converts a simple-one-api config (config.json or YAML) into Switchyard's native config, with warnings and problems. */
import { z } from 'zod';
import { parseLeniently } from '../issues.ts';
import { formatPath } from '../path.ts';
import type { ConfigInput, Strategy } from '../schema.ts';
import { importProxy, proxySchema } from './simple-one-api-proxy.ts';
import {
  type ImportedProvider,
  type ImportReport,
  importService,
  type ProviderInput,
} from './simple-one-api-services.ts';

type ClientKeyInput = NonNullable<NonNullable<ConfigInput['auth']>['keys']>[number];

const nameMap = z.record(z.string(), z.string()).nullish();

// pkg/config/config.go `Configuration`; services are checked entry by entry so one bad entry hides nothing else.
const documentSchema = z.looseObject({
  server_port: z.string().nullish(),
  debug: z.boolean().nullish(),
  log_level: z.string().nullish(),
  proxy: proxySchema.nullish(),
  api_key: z.string().nullish(),
  api_keys: z
    .array(
      z.looseObject({
        api_key: z.string().nullish(),
        supported_models: z.record(z.string(), z.array(z.string()).nullish()).nullish(),
      }),
    )
    .nullish(),
  load_balancing: z.string().nullish(),
  circuit_breaker: z.looseObject({ enabled: z.boolean().nullish() }).nullish(),
  multi_content_models: z.array(z.string()).nullish(),
  model_redirect: nameMap,
  params_range: z.record(z.string(), z.unknown()).nullish(),
  services: z.record(z.string(), z.unknown()).nullish(),
  translation: z.looseObject({ enable: z.boolean().nullish() }).nullish(),
  enable_web: z.boolean().nullish(),
});
type Document = z.infer<typeof documentSchema>;
const DOCUMENT_KEYS = new Set(Object.keys(documentSchema.shape));

export interface SimpleOneApiImport extends ImportReport {
  config: ConfigInput;
  /** Where a problem found in the converted config lives in the user's simple-one-api file. */
  sourcePath(path: string): string;
}

/** simple-one-api's shape: `services` and/or its server keys, and none of Switchyard's own `providers`. */
export function isSimpleOneApi(document: unknown): document is Record<string, unknown> {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return false;
  if ('providers' in document) return false;
  const services = (document as Record<string, unknown>)['services'];
  const hasServices = services !== null && typeof services === 'object' && !Array.isArray(services);
  return hasServices || 'server_port' in document || 'load_balancing' in document;
}

export function importSimpleOneApi(source: Record<string, unknown>): SimpleOneApiImport {
  const report: ImportReport = { problems: [], warnings: [] };
  const document = parseLeniently(documentSchema, source, [], report.problems) ?? {};
  for (const key of Object.keys(source)) {
    if (!DOCUMENT_KEYS.has(key)) report.warnings.push(`${formatPath([key])}: unknown key, ignored`);
  }
  const proxy = importProxy(document.proxy, report);
  const imported = Object.entries(document.services ?? {}).flatMap(([service, entries]) => {
    if (entries == null) return [];
    if (Array.isArray(entries)) return importService(service, entries, { ...report, proxy });
    report.problems.push({ path: formatPath(['services', service]), message: 'expected an array of entries' });
    return [];
  });
  const strategy = strategyOf(document.load_balancing, report);
  // "first" always took the first enabled entry: declaration order becomes priority order.
  const providers = imported.map(
    ({ provider }, index): ProviderInput => (strategy === 'priority' ? { ...provider, priority: index } : provider),
  );
  const keys = clientKeys(document, report);
  const config: ConfigInput = {
    server: serverOf(document.server_port, report),
    ...(keys.keys.length > 0 ? { auth: { keys: keys.keys } } : {}),
    ...(proxy.global ? { proxy: proxy.global } : {}),
    ...logLevelOf(document.log_level, report),
    routing: { strategy },
    providers,
    models: { aliases: aliasesOf(document.model_redirect, report) },
  };
  warnAboutIgnoredFeatures(document, report);
  return { ...report, config, sourcePath: sourcePaths(imported, keys.origins) };
}

/** server_port is ":9090" or "host:9090"; without it simple-one-api listens on :9090, and clients point there. */
function serverOf(serverPort: string | null | undefined, report: ImportReport): { port: number; host?: string } {
  const value = serverPort?.trim() || ':9090';
  const match = /^(.*):(\d+)$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) {
    report.problems.push({ path: 'server_port', message: 'must be in :9090 or host:port format' });
    return { port: 9090 };
  }
  const host = match[1]!.replace(/^\[(.*)\]$/, '$1');
  return host ? { port, host } : { port };
}

/** GetLBIndex (pkg/config/lb_strategy.go); `hash` hashes the model with the current millisecond, so it is random. */
const STRATEGY_OF: Readonly<Record<string, Strategy>> = {
  '': 'random',
  random: 'random',
  rand: 'random',
  hash: 'random',
  first: 'priority',
  round_robin: 'round-robin',
  rr: 'round-robin',
};

function strategyOf(loadBalancing: string | null | undefined, report: ImportReport): Strategy {
  const value = loadBalancing?.trim().toLowerCase() ?? '';
  const strategy = Object.hasOwn(STRATEGY_OF, value) ? STRATEGY_OF[value] : undefined;
  if (strategy) return strategy;
  report.problems.push({ path: 'load_balancing', message: 'supported values: first, random, round_robin, hash' });
  return 'random';
}

const LOG_LEVEL_OF: Readonly<Record<string, NonNullable<ConfigInput['log_level']>>> = {
  debug: 'debug',
  dev: 'debug',
  development: 'debug',
  info: 'info',
  prod: 'info',
  production: 'info',
  prodj: 'info',
  prodjson: 'info',
  productionjson: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
};

function logLevelOf(logLevel: string | null | undefined, report: ImportReport): Pick<ConfigInput, 'log_level'> {
  const value = logLevel?.trim().toLowerCase();
  if (!value) return {};
  if (Object.hasOwn(LOG_LEVEL_OF, value)) return { log_level: LOG_LEVEL_OF[value]! };
  report.problems.push({ path: 'log_level', message: 'unsupported log level' });
  return {};
}

/**
 * `api_key` guards every /v1 request; `api_keys` entries each allow the models listed under any service ("*": all).
 * With both set, simple-one-api refused every key but `api_key`, so only that one is imported.
 */
function clientKeys(document: Document, report: ImportReport): { keys: ClientKeyInput[]; origins: string[] } {
  const keys: ClientKeyInput[] = [];
  const origins: string[] = [];
  const seen = new Set<string>();
  const entries = (document.api_keys ?? []).flatMap((entry, index) => {
    const path = formatPath(['api_keys', index, 'api_key']);
    if (!entry.api_key) {
      report.problems.push({ path, message: 'must not be empty' });
      return [];
    }
    if (seen.has(entry.api_key)) report.problems.push({ path, message: 'duplicate access key' });
    seen.add(entry.api_key);
    const lists = Object.values(entry.supported_models ?? {}).flatMap((models) => models ?? []);
    const models = lists.includes('*') ? undefined : [...new Set(lists)];
    return [{ key: entry.api_key, models, path }];
  });
  const add = (key: string, models: string[] | undefined, origin: string) => {
    keys.push(models ? { key, models } : key);
    origins.push(origin);
  };
  const master = document.api_key || undefined;
  if (!master) {
    for (const entry of entries) add(entry.key, entry.models, entry.path);
    return { keys, origins };
  }
  const own = entries.find((entry) => entry.key === master);
  add(master, own?.models, 'api_key');
  const others = entries.length - (own ? 1 : 0);
  if (others > 0) {
    report.warnings.push(
      `api_keys: ${others} key(s) other than api_key not imported; simple-one-api refused them because api_key was set`,
    );
  }
  return { keys, origins };
}

/** The global model_redirect renames a client's model before routing: Switchyard's aliases. */
function aliasesOf(redirect: Document['model_redirect'], report: ImportReport): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const [name, target] of Object.entries(redirect ?? {})) {
    const path = formatPath(['model_redirect', name]);
    if (name === 'all') {
      report.warnings.push(`${path}: sending every model to one target has no Switchyard equivalent; ignored`);
    } else if (target === 'random' || target === 'all') {
      report.warnings.push(`${path}: "${target}" (a random configured model) has no Switchyard equivalent; ignored`);
    } else aliases[name] = target;
  }
  return aliases;
}

/** Keys Switchyard accepts but does not act on, said only where a user would otherwise expect their effect. */
function warnAboutIgnoredFeatures(document: Document, report: ImportReport): void {
  if (document.circuit_breaker && document.circuit_breaker.enabled !== false) {
    report.warnings.push(
      'circuit_breaker: not imported; Switchyard retries the next provider on 5xx and cools a key down on 429 instead of pausing a provider after repeated failures',
    );
  }
  if (Object.keys(document.params_range ?? {}).length > 0) {
    report.warnings.push('params_range: not imported; temperature, top_p and max_tokens reach the upstream unclamped');
  }
  if ((document.multi_content_models ?? []).length > 0) {
    report.warnings.push(
      'multi_content_models: not needed; Switchyard passes image content to every model instead of flattening it for unlisted ones',
    );
  }
  if (document.translation?.enable) {
    report.warnings.push('translation: the /translate endpoints are not provided by Switchyard');
  }
}

// Native provider fields → the simple-one-api field a user would edit instead; longer prefixes first.
const PROVIDER_FIELDS: readonly [string, string][] = [
  ['.limits.timeout', '.timeout'],
  ['.limits.queue_timeout', '.limit.timeout'],
  ['.limits.rps', '.limit.qps'],
  ['.limits', '.limit'],
  ['.base_url', '.server_url'],
  ['.api_version', '.server_url'],
  ['.proxy', '.use_proxy'],
  ['.name', '.id'],
  ['.type', ''],
];

const TOP_LEVEL_FIELDS: readonly [string, string][] = [
  ['server', 'server_port'],
  ['routing.strategy', 'load_balancing'],
  ['models.aliases', 'model_redirect'],
];

function sourcePaths(providers: readonly ImportedProvider[], keyOrigins: readonly string[]): (path: string) => string {
  return (path) => {
    const provider = /^providers\[(\d+)\](.*)$/.exec(path);
    if (provider) {
      const imported = providers[Number(provider[1])];
      if (!imported) return path;
      const rest = provider[2]!.replace(/^\.keys(\[\d+\])?/, (_all, index: string | undefined) =>
        imported.fromList ? `.credential_list${index ?? ''}` : '.credentials',
      );
      const field = PROVIDER_FIELDS.find(([native]) => rest === native || rest.startsWith(`${native}.`));
      return imported.origin + (field ? field[1] + rest.slice(field[0].length) : rest);
    }
    const key = /^auth\.keys\[(\d+)\]/.exec(path);
    if (key) return keyOrigins[Number(key[1])] ?? path;
    const field = TOP_LEVEL_FIELDS.find(
      ([native]) => path === native || path.startsWith(`${native}.`) || path.startsWith(`${native}[`),
    );
    return field ? field[1] + path.slice(field[0].length).replace(/^\.(port|host)$/, '') : path;
  };
}
