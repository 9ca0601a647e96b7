/** One simple-one-api `services.<type>[i]` entry as Switchyard providers: keys, models, model map, limits, proxy. */
import { z } from 'zod';
import { parseLeniently } from '../issues.ts';
import type { ConfigProblem } from '../loader.ts';
import { formatPath } from '../path.ts';
import type { ConfigInput } from '../schema.ts';
import { type Credentials, type Vendor, vendorFor } from './simple-one-api-vendors.ts';

export type ProviderInput = NonNullable<ConfigInput['providers']>[number];
type LimitsInput = NonNullable<ProviderInput['limits']>;

const amount = z.number().nonnegative('must not be negative').nullish();
// pkg/config/config.go `Limit`: qps, qpm (rpm is its alias), concurrency, and timeout in seconds.
const limitSchema = z.looseObject({ qps: amount, qpm: amount, rpm: amount, concurrency: amount, timeout: amount });
type Limit = z.infer<typeof limitSchema>;
const names = z.array(z.string()).nullish();
const nameMap = z.record(z.string(), z.string()).nullish();
const credentialsSchema = z.record(z.string(), z.unknown());

// pkg/config/config.go `ServiceModel`; Go's zero values make every field optional, and null reads as absent.
const entrySchema = z.looseObject({
  id: z.string().nullish(),
  provider: z.string().nullish(),
  enabled: z.boolean().nullish(),
  models: names,
  embedding_models: names,
  reasoning_models: nameMap,
  credentials: credentialsSchema.nullish(),
  credential_list: z.array(credentialsSchema).nullish(),
  server_url: z.string().nullish(),
  model_map: nameMap,
  model_redirect: nameMap,
  limit: limitSchema.nullish(),
  embedding_limit: limitSchema.nullish(),
  use_proxy: z.boolean().nullish(),
  timeout: amount,
});
type Entry = z.infer<typeof entrySchema>;
const ENTRY_KEYS = new Set(Object.keys(entrySchema.shape));

/** Where each upstream call goes through a proxy, decided from simple-one-api's global strategy. */
export interface ProxyPlan {
  forProvider(useProxy: boolean | null | undefined, baseUrl: string | undefined): string | false | undefined;
}

/** A converted provider and the entry it came from, for problem paths. */
export interface ImportedProvider {
  provider: ProviderInput;
  origin: string;
  /** The credentials came from credential_list rather than credentials. */
  fromList: boolean;
}

/** What the import found that the user should read: problems stop the load, warnings do not. */
export interface ImportReport {
  problems: ConfigProblem[];
  warnings: string[];
}

interface EntryContext extends ImportReport {
  proxy: ProxyPlan;
}

/** Converts every entry of `services.<service>`; with several entries, unnamed ones become `<service>-<n>`. */
export function importService(service: string, entries: readonly unknown[], context: EntryContext): ImportedProvider[] {
  const vendor = vendorFor(service);
  const at = formatPath(['services', service]);
  if (!vendor) {
    context.problems.push({ path: at, message: `unknown service type "${service}"` });
    return [];
  }
  // A vendor reached differently from simple-one-api is said once per service type, not once per entry.
  const notes = new Set<string>();
  const imported = entries.flatMap((raw, index) => {
    const path = ['services', service, index];
    const entry = parseLeniently(entrySchema, raw, path, context.problems);
    if (!entry) return [];
    const origin = formatPath(path);
    for (const key of Object.keys(entry)) {
      if (!ENTRY_KEYS.has(key)) context.warnings.push(`${origin}.${key}: unknown key, ignored`);
    }
    if (entry.enabled == null) {
      context.warnings.push(
        `${origin}: no "enabled": true, so it is imported disabled (simple-one-api skipped it too)`,
      );
    }
    const refuse = (where: PropertyKey[], message: string) => refuseEntry(entry, where, message, context);
    if ('unsupported' in vendor) {
      refuse(path, vendor.unsupported);
      return [];
    }
    const name = entry.id?.trim() || (entries.length === 1 ? service : `${service}-${index + 1}`);
    if (vendor.note && entry.enabled === true) notes.add(`${at}: ${vendor.note}`);
    return convertEntry({ vendor, entry, name, path, refuse }, context).map((provider) => ({
      provider,
      origin,
      fromList: (entry.credential_list?.length ?? 0) > 0,
    }));
  });
  context.warnings.push(...notes);
  return imported;
}

/** An entry that cannot be served: a problem when it is enabled, a warning when it is not (nothing routes to it). */
function refuseEntry(entry: Entry, where: PropertyKey[], message: string, context: ImportReport): void {
  const path = formatPath(where);
  if (entry.enabled === true) context.problems.push({ path, message });
  else context.warnings.push(`${path}: ${message} (disabled entry, not imported)`);
}

interface EntryInput {
  vendor: Vendor;
  entry: Entry;
  name: string;
  path: PropertyKey[];
  refuse(where: PropertyKey[], message: string): void;
}

/** One routing target of an entry: the keys it sends and the limits it obeys. */
interface Target {
  suffix: string;
  keys: string[];
  limits: LimitsInput;
}

function convertEntry(input: EntryInput, context: EntryContext): ProviderInput[] {
  const { vendor, entry, path } = input;
  const targets = entryTargets(input, context);
  if (!targets) return [];
  const models = normalizeNames(entry.models);
  const embeddingModels = normalizeNames(entry.embedding_models);
  if (models.length === 0 && vendor.defaultModels) models.push(...vendor.defaultModels);
  if (entry.enabled === true && models.length === 0 && embeddingModels.length === 0) {
    context.problems.push({
      path: formatPath([...path, 'models']),
      message: 'at least one chat or embedding model is required',
    });
  }
  const embeddingLimits = limitsOf(entry.embedding_limit, entry.timeout, [...path, 'embedding_limit'], context);
  // simple-one-api limits embeddings only by embedding_limit, so they get their own provider when that differs.
  const separateEmbeddings =
    embeddingModels.length > 0 && JSON.stringify(embeddingLimits) !== JSON.stringify(targets[0]?.limits ?? {});
  const groups = routeGroups(input, models, embeddingModels, separateEmbeddings);
  const apiVersion = vendor.apiVersion?.(entry.server_url ?? undefined);
  const cloud = vendor.cloud?.(entry.credentials ?? entry.credential_list?.[0] ?? {}) ?? {};
  return targets.flatMap((target) =>
    groups.map((group): ProviderInput => {
      const limits = group.kind === 'embedding' && separateEmbeddings ? embeddingLimits : target.limits;
      const proxy = context.proxy.forProvider(entry.use_proxy, group.baseUrl);
      return {
        name: [input.name, group.label, target.suffix].filter(Boolean).join('-'),
        type: vendor.type,
        enabled: entry.enabled === true,
        ...(group.baseUrl ? { base_url: group.baseUrl } : {}),
        keys: target.keys,
        models: group.models,
        ...(group.embeddingModels.length > 0 ? { embedding_models: group.embeddingModels } : {}),
        ...(Object.keys(group.modelMap).length > 0 ? { model_map: group.modelMap } : {}),
        ...(Object.keys(limits).length > 0 ? { limits } : {}),
        ...(proxy !== undefined ? { proxy } : {}),
        ...(apiVersion ? { api_version: apiVersion } : {}),
        ...cloud,
      };
    }),
  );
}

/**
 * The keys and limits of an entry. simple-one-api balances over credential_list (ignoring credentials then) and, when
 * the entry sets no limit, applies each credential's own `limit` to that credential alone: such credentials become
 * providers of their own.
 */
function entryTargets(input: EntryInput, context: EntryContext): Target[] | undefined {
  const { vendor, entry, path } = input;
  const listed = (entry.credential_list?.length ?? 0) > 0;
  if (listed && entry.credentials && Object.keys(entry.credentials).length > 0) {
    context.warnings.push(
      `${formatPath([...path, 'credentials'])}: ignored because credential_list is set (as in simple-one-api)`,
    );
  }
  const sets = listed
    ? entry.credential_list!.map((credentials, index) => ({ credentials, where: [...path, 'credential_list', index] }))
    : [{ credentials: entry.credentials ?? {}, where: [...path, 'credentials'] }];
  const keys: (string | undefined)[] = [];
  let refused = false;
  for (const { credentials, where } of sets) {
    const result = vendor.key(credentials);
    if ('problem' in result) {
      input.refuse(where, result.problem);
      refused = true;
    } else keys.push(result.key);
  }
  if (refused) return undefined;
  const entryLimits = limitsOf(entry.limit, entry.timeout, [...path, 'limit'], context);
  const ownLimits = sets.map(({ credentials, where }) =>
    hasLimit(entry.limit) ? undefined : credentialLimit(credentials, [...where, 'limit'], entry.timeout, context),
  );
  if (sets.length > 1 && ownLimits.some((limits) => limits !== undefined)) {
    return keys.map((key, index) => ({
      suffix: `key${index + 1}`,
      keys: key ? [key] : [],
      limits: ownLimits[index] ?? entryLimits,
    }));
  }
  return [{ suffix: '', keys: keys.filter((key) => key !== undefined), limits: ownLimits[0] ?? entryLimits }];
}

function credentialLimit(
  credentials: Credentials,
  path: PropertyKey[],
  timeout: number | null | undefined,
  context: EntryContext,
): LimitsInput | undefined {
  if (credentials['limit'] == null) return undefined;
  const limit = parseLeniently(limitSchema, credentials['limit'], path, context.problems);
  return limit ? limitsOf(limit, timeout, path, context) : undefined;
}

const hasLimit = (limit: Limit | null | undefined): boolean =>
  !!limit && [limit.qps, limit.qpm, limit.rpm, limit.concurrency].some((value) => (value ?? 0) > 0);

/**
 * simple-one-api's limit → Switchyard's limits. `limit.timeout` is how long a request waits for a rate-limit token or a
 * concurrency slot before it gets 429 (pkg/handler/openai_handler.go), i.e. `queue_timeout`; the entry's own
 * `timeout` bounds the whole upstream request, i.e. `timeout`.
 */
function limitsOf(
  limit: Limit | null | undefined,
  timeout: number | null | undefined,
  path: PropertyKey[],
  context: EntryContext,
): LimitsInput {
  const limits: LimitsInput = {};
  if (limit?.qps) limits.rps = limit.qps;
  // qpm wins over rpm, as in getLimitDetails.
  const perMinute = limit?.qpm || limit?.rpm;
  if (perMinute) limits.rpm = perMinute;
  const concurrency = Math.trunc(limit?.concurrency ?? 0);
  if (concurrency > 0) limits.concurrency = concurrency;
  if (limit?.timeout) limits.queue_timeout = limit.timeout;
  if (timeout) limits.timeout = timeout;
  const kinds = (['qps', 'qpm', 'rpm', 'concurrency'] as const).filter((kind) => (limit?.[kind] ?? 0) > 0);
  if (kinds.length > 1) {
    context.warnings.push(
      `${formatPath(path)}: simple-one-api enforced only ${kinds[0]} (the first of qps, qpm, rpm, concurrency); Switchyard enforces ${kinds.join(', ')} together`,
    );
  }
  return limits;
}

/** The providers one entry needs: one per base URL (and per kind when embeddings are limited apart). */
interface RouteGroup {
  kind: 'chat' | 'embedding';
  baseUrl: string | undefined;
  label: string;
  models: string[];
  embeddingModels: string[];
  modelMap: Record<string, string>;
}

/**
 * Client model name → upstream name, as simple-one-api resolved it: the entry's model_redirect first, then its
 * model_map, then the vendor's own name for the model. The base URL follows the resolved name, because the `openai`
 * service picks a default URL from the model's prefix and Ark routes `bot-` models apart.
 */
function routeGroups(
  input: EntryInput,
  models: readonly string[],
  embeddingModels: readonly string[],
  separateEmbeddings: boolean,
): RouteGroup[] {
  const { vendor, entry } = input;
  const redirect = entry.model_redirect ?? {};
  const map = entry.model_map ?? {};
  const credentials = firstCredentials(entry);
  const groups: RouteGroup[] = [];
  const place = (client: string, kind: RouteGroup['kind'], listed: boolean) => {
    const redirected = lookup(redirect, client) ?? client;
    const mapped = lookup(map, redirected) ?? redirected;
    const upstream = vendor.upstreamModel?.(mapped) ?? mapped;
    const groupKind = separateEmbeddings ? kind : 'chat';
    const baseUrl = vendor.baseUrl(entry.server_url || undefined, mapped, credentials);
    let group = groups.find((candidate) => candidate.kind === groupKind && candidate.baseUrl === baseUrl);
    if (!group) {
      group = { kind: groupKind, baseUrl, label: '', models: [], embeddingModels: [], modelMap: {} };
      group.label = groups.length === 0 ? '' : groupLabel(group, groups);
      groups.push(group);
    }
    if (listed) (kind === 'embedding' ? group.embeddingModels : group.models).push(client);
    if (upstream !== client) group.modelMap[client] = upstream;
  };
  for (const model of models) place(model, 'chat', true);
  for (const model of embeddingModels) place(model, 'embedding', true);
  // Redirect names route too (simple-one-api registers them for the entry) but are not listed as models.
  for (const client of Object.keys(redirect)) {
    if (models.includes(client) || embeddingModels.includes(client)) continue;
    const target = lookup(redirect, client)!;
    place(client, embeddingModels.includes(target) && !models.includes(target) ? 'embedding' : 'chat', false);
  }
  if (groups.length > 0) return groups;
  const baseUrl = vendor.baseUrl(entry.server_url || undefined, '', credentials);
  return [{ kind: 'chat', baseUrl, label: '', models: [], embeddingModels: [], modelMap: {} }];
}

/** A readable suffix for a second provider of one entry: `embeddings`, `bots`, or the upstream's domain name. */
function groupLabel(group: RouteGroup, existing: readonly RouteGroup[]): string {
  let label = 'openai';
  if (group.kind === 'embedding' && existing.some((other) => other.baseUrl === group.baseUrl)) label = 'embeddings';
  else if (group.baseUrl?.endsWith('/bots')) label = 'bots';
  else if (group.baseUrl) {
    const host = URL.canParse(group.baseUrl) ? new URL(group.baseUrl).hostname.split('.') : [];
    label = host.length > 1 ? host[host.length - 2]! : (host[0] ?? 'upstream');
  }
  return existing.some((other) => other.label === label) ? `${label}-${existing.length + 1}` : label;
}

const firstCredentials = (entry: Entry): Credentials => entry.credential_list?.[0] ?? entry.credentials ?? {};

const lookup = (map: Readonly<Record<string, string>>, key: string): string | undefined =>
  Object.hasOwn(map, key) ? map[key] : undefined;

/** Trimmed, without blanks or repeats, as simple-one-api normalizes model lists. */
function normalizeNames(list: readonly string[] | null | undefined): string[] {
  return [...new Set((list ?? []).map((name) => name.trim()).filter((name) => name !== ''))];
}
