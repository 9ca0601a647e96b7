/**
 * The Redis connection that shared state runs on (`REDIS_URL`): every key under one prefix per installation (so many
 * gateways can share a Redis), Lua scripts, the event channel between instances, this instance's heartbeat, and
 * fail-open bookkeeping. A command that fails is counted and logged once per outage, and its caller falls back to
 * in-process state; nothing waits on a Redis that is away.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Redis, ReplyError } from 'ioredis';
import type { Logger } from '../log.ts';
import { metrics } from '../metrics.ts';
import type { KeyChange } from './key-health.ts';

/** What one instance tells the others. */
export type SharedEvent = { t: 'tokens' } | { t: 'channels' } | { t: 'prices' } | ({ t: 'key' } & KeyChange);

export type Script = (keys: string[], args: (string | number)[]) => Promise<unknown>;

/** How long an instance is taken for alive after its last heartbeat. */
const HEARTBEAT_TTL_MS = 3_000;
const HEARTBEAT_EVERY_MS = 1_000;
/** After Redis lost its data, quota counters are not rebuilt until every instance re-sent what it had unwritten. */
const BOOT_SETTLE_MS = 2_500;
const COMMAND_TIMEOUT_MS = 1_000;

const HEARTBEAT = `
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
if redis.call('SET', KEYS[3], ARGV[3], 'NX') then redis.call('SET', KEYS[4], '1', 'PX', ARGV[4]) end
return redis.call('GET', KEYS[3])
`;

/** Redis answers again after an outage (`lost`: it came back empty, e.g. restarted without persistence). */
export type RecoveryListener = (lost: boolean) => void | Promise<void>;

export class SharedRedis {
  readonly client: Redis;
  /** This process, among the instances sharing the Redis. */
  readonly instance = randomUUID();
  readonly prefix: string;
  private readonly subscriber: Redis;
  private readonly log: Logger;
  private readonly listeners = new Set<(event: SharedEvent) => void>();
  private readonly recoveries = new Set<RecoveryListener>();
  private readonly resyncs = new Set<() => void>();
  private readonly heartbeat: Script;
  private timer: NodeJS.Timeout | undefined;
  private isDown = false;
  private bootId = '';

  private constructor(url: string, installId: string, log: Logger) {
    this.log = log;
    // A hash tag: on a Redis Cluster every key of one installation lives on one slot, so scripts can touch several.
    this.prefix = `sy:{${installId}}:`;
    const options = {
      lazyConnect: true,
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 2_000,
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
    };
    this.client = new Redis(url, options);
    this.subscriber = new Redis(url, { ...options, enableAutoPipelining: false, commandTimeout: undefined });
    this.client.on('error', () => this.down('connection'));
    this.subscriber.on('error', () => {});
    this.subscriber.on('ready', () => {
      void this.subscriber.subscribe(this.key('events')).then(
        () => {
          for (const resync of this.resyncs) resync();
        },
        () => {},
      );
    });
    this.subscriber.on('message', (_channel: string, text: string) => {
      let event: SharedEvent & { from?: string };
      try {
        event = JSON.parse(text) as SharedEvent & { from?: string };
      } catch {
        return;
      }
      if (event.from === this.instance) return;
      for (const listener of this.listeners) listener(event);
    });
    this.heartbeat = this.script(HEARTBEAT);
  }

  /** Connects (waiting briefly: a Redis that is down at start-up is retried in the background, fail-open). */
  static async connect(url: string, installId: string, log: Logger): Promise<SharedRedis> {
    const redis = new SharedRedis(url, installId, log);
    const connected = await Promise.allSettled([redis.client.connect(), redis.subscriber.connect()]);
    if (connected[0].status === 'rejected') {
      redis.down('connect');
    } else {
      metrics.redisUp.set(1);
      await redis.beat();
    }
    redis.timer = setInterval(() => void redis.beat(), HEARTBEAT_EVERY_MS);
    redis.timer.unref();
    return redis;
  }

  key(name: string): string {
    return this.prefix + name;
  }

  /** False while Redis is known to be away: callers use their in-process state without trying. */
  get up(): boolean {
    return !this.isDown;
  }

  /** A Lua script, sent by hash (and by text once after Redis forgot it). */
  script(lua: string): Script {
    const sha = createHash('sha1').update(lua).digest('hex');
    return async (keys, args) => {
      try {
        return await this.client.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!(err as Error).message.startsWith('NOSCRIPT')) throw err;
        return this.client.eval(lua, keys.length, ...keys, ...args);
      }
    };
  }

  /** Runs `command`; when Redis fails, counts and logs it and answers undefined (the caller falls back). */
  async attempt<T>(operation: string, command: () => Promise<T>): Promise<T | undefined> {
    if (this.isDown) return undefined;
    try {
      return await command();
    } catch (err) {
      if (err instanceof ReplyError) {
        // Redis answered, with an error: a fault of the command, not an outage (nothing to fall back from).
        metrics.redisErrors.inc({ operation });
        this.log.error({ operation, err: (err as Error).message }, 'a Redis command failed');
      } else this.down(operation, err as Error);
      return undefined;
    }
  }

  private down(operation: string, err?: Error): void {
    metrics.redisErrors.inc({ operation });
    if (this.isDown) return;
    this.isDown = true;
    metrics.redisUp.set(0);
    this.log.error(
      { operation, err: err?.message },
      'Redis is unreachable: limits are per instance and quota is reserved in the database until it is back',
    );
  }

  publish(event: SharedEvent): void {
    void this.attempt('publish', () =>
      this.client.publish(this.key('events'), JSON.stringify({ ...event, from: this.instance })),
    );
  }

  onEvent(listener: (event: SharedEvent) => void): void {
    this.listeners.add(listener);
  }

  /** Called after Redis is reachable again (see RecoveryListener). */
  onRecovery(listener: RecoveryListener): void {
    this.recoveries.add(listener);
  }

  /** Called whenever the event channel (re)connects: events may have been missed meanwhile. */
  onResync(listener: () => void): void {
    this.resyncs.add(listener);
  }

  /** Other instances' ids that stopped beating (crashed or killed); this one's own is never among them. */
  async deadInstances(): Promise<string[]> {
    const members = await this.client.smembers(this.key('instances'));
    const others = members.filter((id) => id !== this.instance);
    if (!others.length) return [];
    const alive = await this.client.exists(...others.map((id) => this.key(`alive:${id}`)));
    if (alive === others.length) return [];
    const dead: string[] = [];
    for (const id of others) if (!(await this.client.exists(this.key(`alive:${id}`)))) dead.push(id);
    return dead;
  }

  async forgetInstance(id: string): Promise<void> {
    await this.client.srem(this.key('instances'), id);
  }

  /** Marks this instance alive and notices a Redis that came back, or came back empty. */
  private async beat(): Promise<void> {
    let boot: unknown;
    try {
      boot = await this.heartbeat(
        [this.key(`alive:${this.instance}`), this.key('instances'), this.key('boot'), this.key('booting')],
        [HEARTBEAT_TTL_MS, this.instance, randomUUID(), BOOT_SETTLE_MS],
      );
    } catch (err) {
      this.down('heartbeat', err as Error);
      return;
    }
    const lost = this.bootId !== '' && boot !== this.bootId;
    this.bootId = String(boot);
    if (!this.isDown && !lost) return;
    this.isDown = false;
    metrics.redisUp.set(1);
    this.log.warn({ lost }, lost ? 'Redis came back empty: rebuilding shared state' : 'Redis is reachable again');
    for (const listener of this.recoveries) {
      try {
        await listener(lost);
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'restoring shared state after a Redis outage failed');
      }
    }
  }

  /** Whether Redis answers now (for /readyz). */
  async ping(): Promise<boolean> {
    return (await this.attempt('ping', () => this.client.ping())) === 'PONG';
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    // Only the heartbeat goes: the others sweep this instance's journal (empty after a clean shutdown) and its name.
    await this.attempt('leave', () => this.client.del(this.key(`alive:${this.instance}`)));
    this.client.disconnect();
    this.subscriber.disconnect();
  }
}
