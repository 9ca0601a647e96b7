/** Builds the routing table from config: each client-facing model name -> its deployments (provider × key × upstream model). */

import type { Dispatcher } from 'undici';
import type { Config, ProviderConfig } from '../config/schema.ts';
import { providerDescriptor } from '../providers/index.ts';
import type { Endpoint, ProviderDescriptor, Target } from '../providers/types.ts';
import type { Upstreams } from './upstream.ts';

export interface ResolvedLimits {
  rps?: number;
  rpm?: number;
  concurrency?: number;
  timeoutMs: number;
  queueTimeoutMs: number;
  /** The largest whole answer read (`routing.response_limit`). */
  responseLimit?: number;
}

/** One provider entry, ready to send: its descriptor, base URL, origin and connection pool. */
export interface ProviderRuntime {
  config: ProviderConfig;
  descriptor: ProviderDescriptor;
  baseUrl: string;
  origin: string;
  /** The upstream proxy this provider's calls go through (its own, else the global one), if any. */
  proxy: string | undefined;
  dispatcher: Dispatcher;
}

export interface Deployment {
  /** `provider/key#n/upstream-model`: stable, log-safe (never contains the key itself). */
  id: string;
  /** `provider/key#n`: what cooldowns and disables apply to. */
  keyId: string;
  provider: ProviderRuntime;
  /** The client-facing model name this deployment serves. */
  model: string;
  target: Target;
  endpoints: ReadonlySet<Endpoint>;
  weight: number;
  priority: number;
  limits: ResolvedLimits;
  /** User groups this deployment serves (a channel's `groups`); undefined serves every group. */
  groups: ReadonlySet<string> | undefined;
}

/** A channel from the database, as a provider entry with its keys opened, and the user groups it serves. */
export interface StoredChannel {
  provider: ProviderConfig;
  groups: readonly string[];
}

export interface RoutingTable {
  /** Client-facing model name -> deployments, in declaration order. */
  models: Map<string, Deployment[]>;
  aliases: Map<string, string>;
  providers: ProviderRuntime[];
}

const ALL_ENDPOINTS: ReadonlySet<Endpoint> = new Set(['chat', 'completions', 'embeddings']);
const EMBEDDINGS_ONLY: ReadonlySet<Endpoint> = new Set(['embeddings']);

function resolveLimits(p: ProviderConfig, routing: Config['routing']): ResolvedLimits {
  const limits: ResolvedLimits = {
    timeoutMs: p.limits.timeout ?? routing.timeout,
    queueTimeoutMs: p.limits.queue_timeout ?? routing.queue_timeout,
    responseLimit: routing.response_limit,
  };
  if (p.limits.rps !== undefined) limits.rps = p.limits.rps;
  if (p.limits.rpm !== undefined) limits.rpm = p.limits.rpm;
  if (p.limits.concurrency !== undefined) limits.concurrency = p.limits.concurrency;
  return limits;
}

/** The client-facing names a provider serves and the upstream name each maps to. */
function servedModels(p: ProviderConfig): { model: string; upstream: string; endpoints: ReadonlySet<Endpoint> }[] {
  const served = new Map<string, { model: string; upstream: string; endpoints: ReadonlySet<Endpoint> }>();
  for (const model of p.models)
    served.set(model, { model, upstream: p.model_map[model] ?? model, endpoints: ALL_ENDPOINTS });
  for (const model of p.embedding_models) {
    if (!served.has(model))
      served.set(model, { model, upstream: p.model_map[model] ?? model, endpoints: EMBEDDINGS_ONLY });
  }
  for (const [model, upstream] of Object.entries(p.model_map)) {
    if (!served.has(model)) served.set(model, { model, upstream, endpoints: ALL_ENDPOINTS });
  }
  return [...served.values()];
}

/** A provider entry ready to send: its descriptor, base URL, proxy and the connection pool of its origin. */
export function providerRuntime(p: ProviderConfig, config: Config, upstreams: Upstreams): ProviderRuntime {
  const descriptor = providerDescriptor(p.type);
  if (!descriptor) throw new Error(`providers: unknown provider type '${p.type}'`);
  const baseUrl = (p.base_url ?? descriptor.baseUrlFor?.(p) ?? descriptor.defaultBaseUrl ?? '').replace(/\/+$/, '');
  const origin = new URL(baseUrl).origin;
  const proxy = p.proxy === false ? undefined : (p.proxy ?? config.proxy);
  return { config: p, descriptor, baseUrl, origin, proxy, dispatcher: upstreams.dispatcher(origin, proxy) };
}

/** The table of the config's providers and the database's channels, which route together. */
export function buildRoutingTable(
  config: Config,
  upstreams: Upstreams,
  channels: readonly StoredChannel[] = [],
): RoutingTable {
  const models = new Map<string, Deployment[]>();
  const providers: ProviderRuntime[] = [];
  const entries = [
    ...config.providers.map((provider) => ({ provider, groups: undefined })),
    ...channels.map((c) => ({ provider: c.provider, groups: c.groups.length ? new Set(c.groups) : undefined })),
  ];
  for (const { provider: p, groups } of entries) {
    if (!p.enabled) continue;
    const runtime = providerRuntime(p, config, upstreams);
    const { baseUrl } = runtime;
    providers.push(runtime);
    const limits = resolveLimits(p, config.routing);
    const keys: (string | undefined)[] = p.keys.length ? p.keys : [undefined];
    for (const [index, key] of keys.entries()) {
      const keyId = `${p.name}/key#${index + 1}`;
      for (const { model, upstream, endpoints } of servedModels(p)) {
        const deployment: Deployment = {
          id: `${keyId}/${upstream}`,
          keyId,
          provider: runtime,
          model,
          target: {
            baseUrl,
            key,
            upstreamModel: upstream,
            provider: p,
            ...(config.routing.default_max_tokens ? { defaultMaxTokens: config.routing.default_max_tokens } : {}),
          },
          endpoints,
          weight: p.weight,
          priority: p.priority,
          limits,
          groups,
        };
        const list = models.get(model);
        if (list) list.push(deployment);
        else models.set(model, [deployment]);
      }
    }
  }
  return { models, aliases: new Map(Object.entries(config.models.aliases)), providers };
}
