/**
 * Writes usage logs and the balances they move off the request path: records queue in memory and are written in
 * batches, one transaction per batch. The queue is bounded: when it is full, `add` returns a promise that settles
 * once there is room, so a database that cannot keep up slows callers down instead of filling memory. `close`
 * (shutdown) writes everything queued.
 */
import { CompiledQuery, sql } from 'kysely';
import type { Logger } from '../log.ts';
import type { Store } from './db.ts';
import type { NewUsageLog } from './schema.ts';

export interface UsageRecord {
  log: NewUsageLog;
  /** What the request cost, in quota units. */
  quota: number;
  /** Quota already taken from the token's / user's balance in the database before the request (see Meter). */
  tokenReserved: number;
  userReserved: number;
  /** Unlimited tokens keep their remaining quota as it is; their use is still counted. */
  tokenUnlimited: boolean;
  /** In Redis's journal too (see SharedLedger): it outlives this process until written. */
  journaled?: boolean;
}

/** How much a record moves the token's and the user's remaining balances (undefined: it has none to move). */
export function balanceChanges(record: UsageRecord): { token: number | undefined; user: number | undefined } {
  const { token_id: tokenId, user_id: userId } = record.log;
  return {
    token: tokenId != null && !record.tokenUnlimited ? record.quota - record.tokenReserved : undefined,
    user: userId != null ? record.quota - record.userReserved : undefined,
  };
}

/** Told when journaled records are in the database (they leave the journal); false when it could not be told. */
export interface JournalSink {
  written(records: UsageRecord[]): Promise<boolean>;
}

export interface UsageWriterOptions {
  batchSize?: number;
  flushEveryMs?: number;
  maxQueued?: number;
}

interface Totals {
  quota: number;
  /** Change of the remaining balance still to write: cost minus what was reserved. */
  remain: number;
  requests: number;
}

const ROWS_PER_INSERT = 100;

/** The usage log's columns, in the order the hand-built insert lists them. */
const LOG_COLUMNS = [
  'request_id',
  'created_at',
  'user_id',
  'token_id',
  'token_name',
  'channel',
  'model',
  'upstream_model',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'quota',
  'cost_usd',
  'latency_ms',
  'ttft_ms',
  'stream',
  'status',
  'error',
  'ip',
  'parent_request_id',
] as const satisfies readonly (keyof NewUsageLog)[];

function logValues(record: UsageRecord): unknown[] {
  return LOG_COLUMNS.map((column) => record.log[column] ?? null);
}

function addTo<K>(map: Map<K, Totals>, key: K, quota: number, remain: number): void {
  const totals = map.get(key);
  if (totals) {
    totals.quota += quota;
    totals.remain += remain;
    totals.requests += 1;
  } else map.set(key, { quota, remain, requests: 1 });
}

export class UsageWriter {
  private readonly store: Store;
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly maxQueued: number;
  private queue: UsageRecord[] = [];
  private readonly waiting: (() => void)[] = [];
  /** Balance changes queued or being written, per token and per user: not yet in the database's balances. */
  private readonly tokenPending = new Map<number, number>();
  private readonly userPending = new Map<number, number>();
  private flushing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private readonly inserts = new Map<number, string>();
  /** The batch being written now (still this process's to write if it fails). */
  private writing: UsageRecord[] = [];
  /** Written, still in the journal (Redis was away): cleared with the next batch, or they would count as owed. */
  private uncleared: UsageRecord[] = [];
  journal: JournalSink | undefined;

  constructor(store: Store, log: Logger, opts: UsageWriterOptions = {}) {
    this.store = store;
    this.log = log;
    this.batchSize = opts.batchSize ?? 1000;
    this.maxQueued = opts.maxQueued ?? 20_000;
    this.timer = setInterval(() => void this.flush(), opts.flushEveryMs ?? 500);
    this.timer.unref();
  }

  /** Queues a record; when the queue is full, the returned promise settles once it was accepted. */
  add(record: UsageRecord): Promise<void> | undefined {
    if (this.queue.length >= this.maxQueued) {
      return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.add(record));
    }
    this.queue.push(record);
    const { token_id: tokenId, user_id: userId } = record.log;
    const changes = balanceChanges(record);
    if (changes.token !== undefined) {
      this.tokenPending.set(tokenId!, (this.tokenPending.get(tokenId!) ?? 0) + changes.token);
    }
    if (changes.user !== undefined) {
      this.userPending.set(userId!, (this.userPending.get(userId!) ?? 0) + changes.user);
    }
    if (this.queue.length >= this.batchSize) void this.flush();
    return undefined;
  }

  /** Quota this token spent that the database's `remain_quota` does not show yet. */
  unflushedForToken(tokenId: number): number {
    return this.tokenPending.get(tokenId) ?? 0;
  }

  unflushedForUser(userId: number): number {
    return this.userPending.get(userId) ?? 0;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Records not yet in the database: being written, then queued (`all: false`: those not in the journal). */
  unwritten(all: boolean): UsageRecord[] {
    const records = [...this.writing, ...this.queue];
    return all ? records : records.filter((r) => !r.journaled);
  }

  /** Takes written records out of the journal; kept for the next try while Redis is away. */
  async clearJournal(): Promise<void> {
    if (!this.journal || !this.uncleared.length) return;
    const clear = this.uncleared;
    this.uncleared = [];
    if (!(await this.journal.written(clear))) this.uncleared.push(...clear);
  }

  /** Writes records journaled by an instance that died, leaving out those it had written already; returns how many. */
  async writeMissing(records: UsageRecord[]): Promise<number> {
    let count = 0;
    for (let i = 0; i < records.length; i += this.batchSize) {
      const batch = records.slice(i, i + this.batchSize);
      const present = await this.store.db
        .selectFrom('usage_logs')
        .select('request_id')
        .where(
          'request_id',
          'in',
          batch.map((r) => r.log.request_id),
        )
        .execute();
      const written = new Set(present.map((row) => row.request_id));
      const missing = batch.filter((r) => !written.has(r.log.request_id));
      if (missing.length) await this.write(missing);
      count += missing.length;
    }
    return count;
  }

  /** Writes what is queued now (one batch at a time); resolves when it is in the database or failed (and requeued). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.queue.length === 0) return Promise.resolve();
    this.flushing = this.writeAll().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Stops the timer and writes everything still queued. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (let attempt = 0; attempt < 3 && (this.queue.length || this.flushing); attempt++) {
      await this.flush();
      while (this.queue.length && !this.flushing) await this.flush();
    }
    if (this.queue.length) this.log.error({ lost: this.queue.length }, 'usage logs could not be written at shutdown');
  }

  /**
   * `INSERT … VALUES (…), (…)` for `rows` rows, built once per row count: through the query builder, compiling a
   * batch cost more CPU than the database took to store it.
   */
  private insertSql(rows: number): string {
    let text = this.inserts.get(rows);
    if (text) return text;
    const { engine } = this.store;
    const quote = (name: string): string => (engine === 'mysql' ? `\`${name}\`` : `"${name}"`);
    let n = 0;
    const placeholder = (): string => (engine === 'postgres' ? `$${++n}` : '?');
    const tuples = Array.from({ length: rows }, () => `(${LOG_COLUMNS.map(placeholder).join(', ')})`);
    text = `insert into ${quote('usage_logs')} (${LOG_COLUMNS.map(quote).join(', ')}) values ${tuples.join(', ')}`;
    this.inserts.set(rows, text);
    return text;
  }

  private async writeAll(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.batchSize);
      this.writing = batch;
      let written: { tokens: Map<number, Totals>; users: Map<number, Totals> };
      try {
        written = await this.write(batch);
      } catch (err) {
        this.writing = [];
        // Kept for the next flush; nothing acknowledged is dropped while the database is away.
        this.queue.unshift(...batch);
        this.log.error(
          { err: (err as Error).message, queued: this.queue.length },
          'writing usage logs failed; will retry',
        );
        return;
      }
      this.writing = [];
      for (const [id, t] of written.tokens) this.settlePending(this.tokenPending, id, t.remain);
      for (const [id, t] of written.users) this.settlePending(this.userPending, id, t.remain);
      this.uncleared.push(...batch.filter((r) => r.journaled));
      await this.clearJournal();
      while (this.waiting.length && this.queue.length < this.maxQueued) this.waiting.shift()!();
    }
  }

  private settlePending(map: Map<number, number>, id: number, amount: number): void {
    const left = (map.get(id) ?? 0) - amount;
    if (Math.abs(left) < 1e-9) map.delete(id);
    else map.set(id, left);
  }

  private async write(batch: UsageRecord[]): Promise<{ tokens: Map<number, Totals>; users: Map<number, Totals> }> {
    const tokens = new Map<number, Totals>();
    const users = new Map<number, Totals>();
    const channels = new Map<string, Totals>();
    for (const r of batch) {
      const { token_id: tokenId, user_id: userId, channel } = r.log;
      const changes = balanceChanges(r);
      if (tokenId != null) addTo(tokens, tokenId, r.quota, changes.token ?? 0);
      if (userId != null) addTo(users, userId, r.quota, changes.user ?? 0);
      if (channel && r.quota) addTo(channels, channel, r.quota, 0);
    }
    await this.store.db.transaction().execute(async (trx) => {
      for (let i = 0; i < batch.length; i += ROWS_PER_INSERT) {
        const rows = batch.slice(i, i + ROWS_PER_INSERT);
        await trx.executeQuery(CompiledQuery.raw(this.insertSql(rows.length), rows.flatMap(logValues)));
      }
      // Sorted ids: concurrent instances lock rows in the same order and cannot deadlock each other.
      for (const [id, t] of [...tokens].sort((a, b) => a[0] - b[0])) {
        await trx
          .updateTable('tokens')
          .set({
            used_quota: sql`used_quota + ${t.quota}`,
            remain_quota: sql`remain_quota - ${t.remain}`,
            accessed_at: Date.now(),
          })
          .where('id', '=', id)
          .execute();
      }
      for (const [id, t] of [...users].sort((a, b) => a[0] - b[0])) {
        await trx
          .updateTable('users')
          .set({
            used_quota: sql`used_quota + ${t.quota}`,
            quota: sql`quota - ${t.remain}`,
            request_count: sql`request_count + ${t.requests}`,
          })
          .where('id', '=', id)
          .execute();
      }
      for (const [name, t] of [...channels].sort((a, b) => a[0].localeCompare(b[0]))) {
        await trx
          .updateTable('channels')
          .set({ used_quota: sql`used_quota + ${t.quota}` })
          .where('name', '=', name)
          .execute();
      }
    });
    return { tokens, users };
  }
}
