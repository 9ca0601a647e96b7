/** The gateway's runtime: config, database, router, upstream pools, client keys and logger, built once at start-up. */

import { Meter } from './billing/meter.ts';
import { PriceBook } from './billing/prices.ts';
import type { Config } from './config/schema.ts';
import type { Cancellation } from './core/cancellation.ts';
import type { Logger } from './log.ts';
import { watchUsageQueue } from './metrics.ts';
import { ModelCaller } from './pipelines/caller.ts';
import { VirtualModels } from './pipelines/virtual.ts';
import { ImageFetcher } from './router/images.ts';
import type { Router } from './router/router.ts';
import { Routing } from './router/routing.ts';
import { Upstreams } from './router/upstream.ts';
import { ClientKeys } from './server/auth.ts';
import { KeyHealth } from './state/key-health.ts';
import { LocalLimiter, type RateLimiter } from './state/keyed-limits.ts';
import { MemoryResponseStore, type ResponseStore } from './state/response-store.ts';
import { bindShared, openShared, type SharedState } from './state/shared.ts';
import { Conversations } from './store/conversations.ts';
import { databaseUrl, openStore, type Store } from './store/db.ts';
import { migrate } from './store/migrate.ts';
import { installId } from './store/options.ts';
import { loadSecret, type Secret } from './store/secret.ts';
import { UsageWriter } from './store/usage-writer.ts';
import { ensureRoot } from './store/users.ts';
import { startTracing, type Tracing } from './tracing.ts';

export interface Gateway {
  config: Config;
  log: Logger;
  /** The router of the moment: rebuilt when channels change. */
  readonly router: Router;
  routing: Routing;
  keys: ClientKeys;
  keyHealth: KeyHealth;
  upstreams: Upstreams;
  /** Fetches images given by URL for providers that take only bytes. */
  images: ImageFetcher;
  /** Responses API answers kept for `previous_response_id` and `GET /v1/responses/{id}`. */
  responses: ResponseStore;
  /** The management plane's database: users, tokens, channels, prices, usage logs. */
  store: Store;
  /** Seals channel keys at rest and signs admin sessions. */
  secret: Secret;
  /** Usage logs and balance changes, written in batches off the request path. */
  usage: UsageWriter;
  /** Model prices: admin-set, config, built-in. */
  prices: PriceBook;
  /** Quota checks before a request and billing after it. */
  meter: Meter;
  /** Per-IP, per-token and login limits: shared by every instance with Redis, this process's own without. */
  limiter: RateLimiter;
  /** Limits, quota, journal, key health and events across instances (with `REDIS_URL`). */
  shared: SharedState | undefined;
  /** Tokens or users changed here: cached tokens go (on every instance), and changed balances are read again. */
  accountsChanged(change?: { tokenIds?: number[]; userIds?: number[] }): void;
  /** Channels changed here: the router is rebuilt, here at once and on every other instance. */
  channelsChanged(): Promise<void>;
  /** Prices changed here: read again, here and on every other instance. */
  pricesChanged(): Promise<void>;
  /** Server-side conversations (`conversation_id`). */
  conversations: Conversations;
  /** The config's virtual models (ensembles). */
  virtual: VirtualModels;
  /** After the server closed: stops background work, writes queued usage logs, closes pools and the database. */
  close(): Promise<void>;
  /** Set when shutdown began: /readyz answers 503 so load balancers stop sending. */
  closing: boolean;
  /** The relay requests running now, by their cancellation: shutdown ends those still running at its deadline. */
  inFlight: Set<Cancellation>;
  /** OpenTelemetry tracing, when the `OTEL_*` variables of the gateway's environment turn it on. */
  tracing: Tracing | undefined;
}

export interface GatewayEnvironment {
  env: NodeJS.ProcessEnv;
  /** Where the SQLite file and the generated secret live (`SWITCHYARD_DATA_DIR`, default `./data`). */
  dataDir: string;
}

/**
 * Opens the database (`DATABASE_URL`, one-api's `SQL_DSN`, the config's `database`, else SQLite in the data
 * directory), applies migrations, creates the root user on first start, and builds the gateway.
 */
export async function openGateway(config: Config, log: Logger, { env, dataDir }: GatewayEnvironment): Promise<Gateway> {
  const store = await openStore(databaseUrl(env.DATABASE_URL || env.SQL_DSN || config.database, dataDir));
  try {
    const applied = await migrate(store);
    if (applied.length) log.info({ migrations: applied, engine: store.engine }, 'database migrated');
    await ensureRoot(store, env, log);
  } catch (err) {
    await store.close();
    throw err;
  }
  const { secret, generated } = loadSecret(env, dataDir);
  if (generated && store.engine !== 'sqlite') {
    log.warn(
      { file: generated },
      'SWITCHYARD_SECRET is not set: channel keys are sealed with a secret kept in the data directory; every instance sharing this database needs the same SWITCHYARD_SECRET',
    );
  }
  const prices = await PriceBook.load(store, log, config.prices);
  const shared = config.redis
    ? await openShared(config.redis, await installId(store), store, log, config.routing.lease_ttl)
    : undefined;
  const tracing = await startTracing(env, log);
  const gw = createGateway(config, log, { store, secret, prices, shared, tracing });
  await gw.keys.start();
  await gw.routing.start();
  return gw;
}

export function createGateway(
  config: Config,
  log: Logger,
  {
    store,
    secret,
    prices,
    shared,
    tracing,
  }: {
    store: Store;
    secret: Secret;
    prices: PriceBook;
    shared?: SharedState | undefined;
    tracing?: Tracing | undefined;
  },
): Gateway {
  const upstreams = new Upstreams();
  const images = new ImageFetcher(config.image_fetch);
  const keyHealth = new KeyHealth();
  const routing = new Routing({ config, log, store, secret, upstreams, keyHealth, gate: shared?.gate });
  const usage = new UsageWriter(store, log);
  const unwatchUsage = watchUsageQueue(usage);
  const keys = new ClientKeys(config.auth.keys, store, usage);
  const meter = new Meter(store, usage, prices, shared?.ledger);
  const stopShared = shared
    ? bindShared(
        shared,
        {
          keyHealth,
          usage,
          on: {
            tokens: () => keys.forget(),
            channels: () => routing.reload(),
            prices: () => prices.reload(),
            redisBack: () => meter.redisBack(),
          },
        },
        log,
      )
    : undefined;
  const gw: Omit<Gateway, 'virtual'> = {
    config,
    log,
    routing,
    get router() {
      return routing.router;
    },
    keys,
    usage,
    prices,
    meter,
    limiter: shared?.limiter ?? new LocalLimiter(),
    shared,
    keyHealth,
    upstreams,
    images,
    responses: shared?.responses ?? new MemoryResponseStore(),
    conversations: new Conversations(store, shared?.redis),
    store,
    secret,
    closing: false,
    inFlight: new Set(),
    tracing,
    accountsChanged(change = {}) {
      keys.forget();
      if (!shared) return;
      shared.redis.publish({ t: 'tokens' });
      void shared.ledger.forgetBalances(change.tokenIds ?? [], change.userIds ?? []);
    },
    async channelsChanged() {
      await routing.reload();
      keys.forget(); // an open relay closes once a channel of the database's own exists
      shared?.redis.publish({ t: 'channels' });
    },
    async pricesChanged() {
      await prices.reload();
      shared?.redis.publish({ t: 'prices' });
    },
    async close() {
      routing.stop();
      stopShared?.();
      await upstreams.close();
      await images.close();
      await usage.close();
      unwatchUsage();
      // The spans of the requests that just finished are exported before the process ends.
      await tracing?.shutdown().catch((err: Error) => log.warn({ err: err.message }, 'tracing: final export failed'));
      await shared?.redis.close();
      await store.close();
    },
  };
  return Object.assign(gw, { virtual: new VirtualModels(config, new ModelCaller(gw as Gateway)) });
}
