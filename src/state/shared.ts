/**
 * State shared by every instance through Redis (`REDIS_URL`): limits, concurrency leases, quota counters and the
 * usage journal, key health, the Responses API store, and the events that tell other instances to drop a cached
 * token, channel or price at once. Without Redis, the gateway uses the in-process versions of each.
 */
import type { Logger } from '../log.ts';
import type { Store } from '../store/db.ts';
import type { UsageWriter } from '../store/usage-writer.ts';
import type { KeyChange, KeyHealth } from './key-health.ts';
import { SharedLedger } from './ledger.ts';
import { type SharedEvent, SharedRedis } from './redis.ts';
import { RedisGate, RedisLimiter } from './redis-limits.ts';
import { RedisResponseStore } from './redis-response-store.ts';

/** How often the journals of dead instances are looked for. */
const RECOVER_EVERY_MS = 2_000;

export interface SharedState {
  redis: SharedRedis;
  limiter: RedisLimiter;
  gate: RedisGate;
  ledger: SharedLedger;
  responses: RedisResponseStore;
}

/** What the shared state keeps in step on this instance. */
export interface SharedParts {
  keyHealth: KeyHealth;
  usage: UsageWriter;
  /** Each runs what another instance's event asks of this one. */
  on: { tokens(): void; channels(): Promise<void>; prices(): Promise<void>; redisBack(): Promise<void> };
}

export async function openShared(
  url: string,
  installId: string,
  store: Store,
  log: Logger,
  leaseTtlMs: number,
): Promise<SharedState> {
  const redis = await SharedRedis.connect(url, installId, log);
  return {
    redis,
    limiter: new RedisLimiter(redis),
    gate: new RedisGate(redis, leaseTtlMs),
    ledger: new SharedLedger(redis, store),
    responses: new RedisResponseStore(redis),
  };
}

/** Wires events both ways; returns what stops the background work. */
export function bindShared(shared: SharedState, parts: SharedParts, log: Logger): () => void {
  const { redis, ledger } = shared;
  const { keyHealth, usage, on } = parts;
  const healthKey = redis.key('keyhealth');
  const failed = (what: string) => (err: unknown) =>
    log.error({ err: (err as Error).message }, `${what} after another instance's change failed`);

  usage.journal = ledger;
  keyHealth.onChange = (change: KeyChange) => {
    void redis.attempt('key-health', () =>
      'enabled' in change
        ? redis.client.hdel(healthKey, change.id)
        : redis.client.hset(healthKey, change.id, JSON.stringify(change)),
    );
    redis.publish({ t: 'key', ...change });
  };
  const loadHealth = async (): Promise<void> => {
    const stored = await redis.attempt('key-health', () => redis.client.hgetall(healthKey));
    const now = Date.now();
    for (const [id, text] of Object.entries(stored ?? {})) {
      const change = JSON.parse(text) as KeyChange;
      if ('until' in change && change.until <= now)
        void redis.attempt('key-health', () => redis.client.hdel(healthKey, id));
      else keyHealth.apply(change);
    }
  };

  redis.onEvent((event: SharedEvent) => {
    if (event.t === 'key') {
      const { t: _, ...change } = event;
      keyHealth.apply(change);
    } else if (event.t === 'tokens') on.tokens();
    else if (event.t === 'channels') on.channels().catch(failed('reloading channels'));
    else on.prices().catch(failed('reloading prices'));
  });
  redis.onResync(() => {
    // Events may have been missed while the channel was down: take everything afresh.
    on.tokens();
    on.channels().catch(failed('reloading channels'));
    on.prices().catch(failed('reloading prices'));
    loadHealth().catch(failed('loading key health'));
  });
  redis.onRecovery(async (lost) => {
    await usage.clearJournal();
    await ledger.rejournal(usage.unwritten(lost));
    await on.redisBack();
    await loadHealth();
  });

  loadHealth().catch(failed('loading key health'));
  const timer = setInterval(() => {
    ledger.recoverDead(usage).then(
      (count) => {
        if (count) log.warn({ logs: count }, 'wrote the usage logs of an instance that stopped without writing them');
      },
      (err: unknown) => log.error({ err: (err as Error).message }, 'recovering usage journals failed'),
    );
  }, RECOVER_EVERY_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    shared.gate.stop();
  };
}
