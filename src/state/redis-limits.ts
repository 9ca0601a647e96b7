/**
 * Limits shared by every instance, counted atomically in Redis Lua scripts on Redis's clock: sliding-window logs (a
 * sorted set of what was counted when, plus its running sum) for per-IP, per-token and per-deployment rates, and
 * concurrency leases per deployment that expire unless their instance renews them, so a dead instance's leases free
 * themselves. While Redis is away, each instance counts alone (fail open).
 */

import { metrics } from '../metrics.ts';
import type { Deployment } from '../router/deployments.ts';
import type { DeploymentGate } from '../router/router.ts';
import { LocalLimiter, type RateLimiter, type WindowVerdict } from './keyed-limits.ts';
import type { Script, SharedRedis } from './redis.ts';

/** Shared Lua: the clock, and a sliding log's prune / wait / record. Members are `<unique>:<cost>`. */
const LOG_LIB = `
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function costOf(member) return tonumber(string.match(member, ':([%d%.]+)$')) end
local function prune(log, sumKey, now, w)
  local sum = tonumber(redis.call('GET', sumKey) or '0')
  local gone = redis.call('ZRANGEBYSCORE', log, '-inf', now - w)
  if #gone > 0 then
    for i = 1, #gone do sum = sum - costOf(gone[i]) end
    redis.call('ZREMRANGEBYSCORE', log, '-inf', now - w)
    if sum < 0 or redis.call('ZCARD', log) == 0 then sum = 0 end
    redis.call('SET', sumKey, sum, 'PX', w + 1000)
  end
  return sum
end
local function waitMs(log, sum, limit, cost, now, w)
  if cost > limit then return w end
  local left = sum
  local from = 0
  while true do
    local batch = redis.call('ZRANGE', log, from, from + 99, 'WITHSCORES')
    if #batch == 0 then return 1 end
    for i = 1, #batch, 2 do
      left = left - costOf(batch[i])
      if left + cost <= limit then return math.max(1, tonumber(batch[i + 1]) + w - now) end
    end
    from = from + 100
  end
end
local function record(log, sumKey, sum, now, w, member, cost)
  redis.call('ZADD', log, now, member .. ':' .. cost)
  redis.call('SET', sumKey, sum + cost, 'PX', w + 1000)
  redis.call('PEXPIRE', log, w + 1000)
end
`;

/** KEYS: log, sum. ARGV: window ms, limit, cost, mode (take | look | add), unique member. Returns 0 or ms to wait. */
const TAKE = `${LOG_LIB}
local now = clock()
local w, limit, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local sum = prune(KEYS[1], KEYS[2], now, w)
if ARGV[4] == 'add' or (ARGV[4] == 'take' and sum + cost <= limit) then
  record(KEYS[1], KEYS[2], sum, now, w, ARGV[5], ARGV[3])
  return 0
end
if sum + cost <= limit then return 0 end
return waitMs(KEYS[1], sum, limit, cost, now, w)
`;

/**
 * KEYS: rps log, rps sum, rpm log, rpm sum, leases. ARGV: rps, rpm, concurrency (0: none), member, lease ttl ms.
 * Returns 0 (admitted; the lease is held), ms to wait for a rate, or -1 when at the concurrency cap.
 */
const ADMIT = `${LOG_LIB}
local now = clock()
local rps, rpm, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local rpsSum, rpmSum = 0, 0
if rps > 0 then
  rpsSum = prune(KEYS[1], KEYS[2], now, 1000)
  if rpsSum + 1 > rps then return waitMs(KEYS[1], rpsSum, rps, 1, now, 1000) end
end
if rpm > 0 then
  rpmSum = prune(KEYS[3], KEYS[4], now, 60000)
  if rpmSum + 1 > rpm then return waitMs(KEYS[3], rpmSum, rpm, 1, now, 60000) end
end
if cap > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
  if redis.call('ZCARD', KEYS[5]) >= cap then return -1 end
  local ttl = tonumber(ARGV[5])
  redis.call('ZADD', KEYS[5], now + ttl, ARGV[4])
  redis.call('PEXPIRE', KEYS[5], ttl * 2)
end
if rps > 0 then record(KEYS[1], KEYS[2], rpsSum, now, 1000, ARGV[4], 1) end
if rpm > 0 then record(KEYS[3], KEYS[4], rpmSum, now, 60000, ARGV[4], 1) end
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

  private member(): string {
    return `${this.redis.instance}.${++sequence}`;
  }

  private run(key: string, limit: number, windowMs: number, cost: number, mode: string): Promise<number | undefined> {
    const log = this.redis.key(`rl:${key}`);
    return this.redis.attempt('rate-limit', async () =>
      Number(await this.script([log, `${log}:sum`], [windowMs, limit, cost, mode, this.member()])),
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
          [`${base}:rps`, `${base}:rps:sum`, `${base}:rpm`, `${base}:rpm:sum`, leases],
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
