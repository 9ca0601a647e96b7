/**
 * Limits shared by every instance, counted atomically in Redis Lua scripts on Redis's clock: sliding windows (60
 * buckets in a hash, as in rate-window.ts) for per-IP, per-token and per-deployment rates, and
 * concurrency leases per deployment that expire unless their instance renews them, so a dead instance's leases free
 * themselves. While Redis is away, each instance counts alone (fail open).
 */

import { metrics } from '../metrics.ts';
import type { Deployment } from '../router/deployments.ts';
import type { DeploymentGate } from '../router/router.ts';
import { LocalLimiter, type RateLimiter, type WindowVerdict } from './keyed-limits.ts';
import { WINDOW_BUCKETS } from './rate-window.ts';
import type { Script, SharedRedis } from './redis.ts';

/**
 * Shared Lua: the clock, and a sliding window as 60 buckets in a hash (field: bucket number, value: count), the same
 * as rate-window.ts: what was counted in a bucket stops counting one window after the bucket's end.
 */
const WINDOW_LIB = `
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function live(hash, now, w)
  local size = w / ${WINDOW_BUCKETS}
  local all = redis.call('HGETALL', hash)
  local sum, buckets, dead = 0, {}, {}
  for i = 1, #all, 2 do
    local index = tonumber(all[i])
    if (index + 1) * size + w > now then
      local count = tonumber(all[i + 1])
      sum = sum + count
      buckets[#buckets + 1] = { index, count }
    else
      dead[#dead + 1] = all[i]
    end
  end
  if #dead > 0 then redis.call('HDEL', hash, unpack(dead)) end
  return sum, buckets
end
local function waitMs(buckets, sum, limit, cost, now, w)
  if cost > limit then return w end
  local size = w / ${WINDOW_BUCKETS}
  table.sort(buckets, function(a, b) return a[1] < b[1] end)
  local left = sum
  for _, bucket in ipairs(buckets) do
    left = left - bucket[2]
    if left + cost <= limit then return math.max(1, math.ceil((bucket[1] + 1) * size + w - now)) end
  end
  return 1
end
local function record(hash, now, w, cost)
  if cost == 0 then return end
  redis.call('HINCRBY', hash, tostring(math.floor(now / (w / ${WINDOW_BUCKETS}))), cost)
  redis.call('PEXPIRE', hash, w * 2)
end
`;

/** KEYS: window. ARGV: window ms, limit, cost, mode (take | look | add). Returns 0 or ms to wait. */
const TAKE = `${WINDOW_LIB}
local now = clock()
local w, limit, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local sum, buckets = live(KEYS[1], now, w)
if ARGV[4] == 'add' or (ARGV[4] == 'take' and sum + cost <= limit) then
  record(KEYS[1], now, w, cost)
  return 0
end
if sum + cost <= limit then return 0 end
return waitMs(buckets, sum, limit, cost, now, w)
`;

/**
 * KEYS: rps window, rpm window, leases. ARGV: rps, rpm, concurrency (0: none), lease member, lease ttl ms.
 * Returns 0 (admitted; the lease is held), ms to wait for a rate, or -1 when at the concurrency cap.
 */
const ADMIT = `${WINDOW_LIB}
local now = clock()
local rps, rpm, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if rps > 0 then
  local sum, buckets = live(KEYS[1], now, 1000)
  if sum + 1 > rps then return waitMs(buckets, sum, rps, 1, now, 1000) end
end
if rpm > 0 then
  local sum, buckets = live(KEYS[2], now, 60000)
  if sum + 1 > rpm then return waitMs(buckets, sum, rpm, 1, now, 60000) end
end
if cap > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if redis.call('ZCARD', KEYS[3]) >= cap then return -1 end
  local ttl = tonumber(ARGV[5])
  redis.call('ZADD', KEYS[3], now + ttl, ARGV[4])
  redis.call('PEXPIRE', KEYS[3], ttl * 2)
end
if rps > 0 then record(KEYS[1], now, 1000, 1) end
if rpm > 0 then record(KEYS[2], now, 60000, 1) end
return 0
`;

/** KEYS: lease sets. ARGV: ttl ms, then one member per key. Pushes each lease's expiry forward. */
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', now + ttl, ARGV[i + 1])
  redis.call('PEXPIRE', KEYS[i], ttl * 2)
end
return #KEYS
`;

let sequence = 0;

export class RedisLimiter implements RateLimiter {
  private readonly redis: SharedRedis;
  private readonly script: Script;
  /** Counts while Redis is away. */
  private readonly local = new LocalLimiter();

  constructor(redis: SharedRedis) {
    this.redis = redis;
    this.script = redis.script(TAKE);
  }

  private run(key: string, limit: number, windowMs: number, cost: number, mode: string): Promise<number | undefined> {
    return this.redis.attempt('rate-limit', async () =>
      Number(await this.script([this.redis.key(`rl:${key}`)], [windowMs, limit, cost, mode])),
    );
  }

  take(key: string, limit: number, windowMs: number, cost = 1, count = true): WindowVerdict | Promise<WindowVerdict> {
    if (!this.redis.up) return this.fallback().take(key, limit, windowMs, cost, count);
    return this.run(key, limit, windowMs, cost, count ? 'take' : 'look').then((wait) => {
      if (wait === undefined) return this.fallback().take(key, limit, windowMs, cost, count);
      return wait === 0 ? { allowed: true, retryAfterMs: 0 } : { allowed: false, retryAfterMs: wait };
    });
  }

  add(key: string, limit: number, windowMs: number, cost: number): void {
    if (!this.redis.up) {
      this.fallback().add(key, limit, windowMs, cost);
      return;
    }
    void this.run(key, limit, windowMs, cost, 'add').then((wait) => {
      if (wait === undefined) this.fallback().add(key, limit, windowMs, cost);
    });
  }

  private fallback(): LocalLimiter {
    metrics.limitFallbacks.inc({ kind: 'rate' });
    return this.local;
  }
}

/** How long a concurrency lease lives without renewal; renewed at a third of it while its request runs. */
export const DEFAULT_LEASE_TTL_MS = 15_000;

/** Rates and concurrency of deployments across instances (see the Router's DeploymentGate). */
export class RedisGate implements DeploymentGate {
  private readonly redis: SharedRedis;
  private readonly admitScript: Script;
  private readonly renewScript: Script;
  private readonly ttlMs: number;
  /** Leases this instance holds: member -> lease set key. */
  private readonly held = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;

  constructor(redis: SharedRedis, ttlMs = DEFAULT_LEASE_TTL_MS) {
    this.redis = redis;
    this.ttlMs = ttlMs;
    this.admitScript = redis.script(ADMIT);
    this.renewScript = redis.script(RENEW);
    this.timer = setInterval(() => void this.renew(), Math.max(100, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  get up(): boolean {
    return this.redis.up;
  }

  async admit(d: Deployment): Promise<{ wait: number; release?: () => void }> {
    const { rps, rpm, concurrency } = d.limits;
    const base = this.redis.key(`dep:${d.id}`);
    const leases = `${base}:leases`;
    const member = `${this.redis.instance}.${++sequence}`;
    const wait = await this.redis.attempt('deployment-admit', async () =>
      Number(
        await this.admitScript(
          [`${base}:rps`, `${base}:rpm`, leases],
          [rps ?? 0, rpm ?? 0, concurrency ?? 0, member, this.ttlMs],
        ),
      ),
    );
    if (wait === undefined) {
      metrics.limitFallbacks.inc({ kind: 'deployment' });
      return { wait: 0 };
    }
    if (wait !== 0 || concurrency === undefined) return { wait };
    this.held.set(member, leases);
    return {
      wait,
      release: () => {
        this.held.delete(member);
        void this.redis.attempt('lease-release', () => this.redis.client.zrem(leases, member));
      },
    };
  }

  private async renew(): Promise<void> {
    if (!this.held.size) return;
    const entries = [...this.held];
    await this.redis.attempt('lease-renew', () =>
      this.renewScript(
        entries.map(([, key]) => key),
        [this.ttlMs, ...entries.map(([member]) => member)],
      ),
    );
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
