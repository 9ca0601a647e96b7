/**
 * Quota and usage across instances, in Redis. The database stays the record; Redis holds, per token and per user,
 * the balance still free to spend (`avail`: the database's balance when the counter was made, less every estimate
 * held and every cost billed since), and a journal of usage logs that are billed but not yet in the database.
 *
 * - `reserve` takes a request's estimate from the counters atomically (Lua), refusing when either cannot pay.
 * - `record` bills the real cost and journals the log in one script, before the client is answered: an instance
 *   killed afterwards loses nothing, another instance writes its journal to the database (`recoverDead`).
 * - A counter is made from the database's balance less what journals still owe it (`pending`); each counter has an
 *   epoch so that a request held on an older counter (expired, or lost with a Redis restart) is billed correctly.
 * - While Redis is away (or rebuilding after it came back empty) the Meter reserves in the database instead.
 */
import { randomUUID } from 'node:crypto';
import { QuotaExceeded } from '../core/errors.ts';
import type { Account } from '../server/auth.ts';
import type { Store } from '../store/db.ts';
import { balanceChanges, type UsageRecord } from '../store/usage-writer.ts';
import type { Script, SharedRedis } from './redis.ts';

/** Which counter a hold was taken from (the epoch of each), to bill it against the same one. */
export interface QuotaEpochs {
  token?: string;
  user?: string;
}

/** A hold on the shared counters (their epochs), or which balance is near its end and needs a turn first. */
export type SharedHold = { epochs: QuotaEpochs } | { near: 't' | 'u' };

/** An idle counter is dropped after this and made again from the database when next needed. */
const COUNTER_TTL_MS = 10 * 60_000;

/**
 * KEYS: counters (token, user). ARGV: estimate, ttl, whether the caller has its instance's turn for the balance, the
 * margin below which a balance is near its end. Returns {'ok', epochs...} | {'init', i} |
 * {'refuse', i} | {'near', i} (near the end, and the caller has no turn).
 */
const RESERVE = `
local est = tonumber(ARGV[1])
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then return {'init', tostring(i)} end
end
for i = 1, #KEYS do
  local avail = tonumber(redis.call('HGET', KEYS[i], 'avail'))
  if avail <= 0 or avail < est then return {'refuse', tostring(i)} end
  if ARGV[3] == '0' and avail - est < tonumber(ARGV[4]) then return {'near', tostring(i)} end
end
local out = {'ok'}
for i = 1, #KEYS do
  if est ~= 0 then redis.call('HINCRBY', KEYS[i], 'avail', -est) end
  redis.call('PEXPIRE', KEYS[i], ARGV[2])
  out[#out + 1] = redis.call('HGET', KEYS[i], 'epoch')
end
return out
`;

/**
 * KEYS: counter, pending, booting. ARGV: database balance, pending read before it, pending field, epoch, ttl.
 * Of the two pending reads the larger is used: a batch written between them is then counted twice (less to spend
 * for a while), never not at all.
 */
const INIT = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 'wait' end
if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
local pending = tonumber(redis.call('HGET', KEYS[2], ARGV[3]) or '0')
local early = tonumber(ARGV[2])
if early > pending then pending = early end
redis.call('HSET', KEYS[1], 'avail', tonumber(ARGV[1]) - pending, 'epoch', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 'ok'
`;

/**
 * KEYS: journal, pending, then the counters held on. ARGV: request id, record JSON, estimate, cost, token pending
 * field and amount, user pending field and amount, then one epoch per counter.
 */
const RECORD = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
for i = 5, 7, 2 do
  if ARGV[i] ~= '' and tonumber(ARGV[i + 1]) ~= 0 then
    if redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]) == 0 then redis.call('HDEL', KEYS[2], ARGV[i]) end
  end
end
local est, cost = tonumber(ARGV[3]), tonumber(ARGV[4])
for k = 3, #KEYS do
  local epoch = redis.call('HGET', KEYS[k], 'epoch')
  if epoch == ARGV[6 + k] then
    if est ~= cost then redis.call('HINCRBY', KEYS[k], 'avail', est - cost) end
  elseif epoch and cost ~= 0 then redis.call('HINCRBY', KEYS[k], 'avail', -cost) end
end
return 1
`;

/**
 * KEYS: journal, pending. ARGV: per record 5 values (request id, token field, amount, user field, amount). A
 * record still in the journal leaves it and its amounts leave pending; one already gone changes nothing, so running
 * this twice for the same records is harmless.
 */
const WRITTEN = `
for i = 1, #ARGV, 5 do
  if redis.call('HDEL', KEYS[1], ARGV[i]) == 1 then
    for j = i + 1, i + 3, 2 do
      if ARGV[j] ~= '' and tonumber(ARGV[j + 1]) ~= 0 then
        if redis.call('HINCRBY', KEYS[2], ARGV[j], -tonumber(ARGV[j + 1])) == 0 then redis.call('HDEL', KEYS[2], ARGV[j]) end
      end
    end
  end
end
return 1
`;

/** What the usage writer offers the ledger: writing records another instance journaled, skipping those already in. */
export interface RecoveryWriter {
  writeMissing(records: UsageRecord[]): Promise<number>;
}

export class SharedLedger {
  private readonly redis: SharedRedis;
  private readonly store: Store;
  private readonly reserveScript: Script;
  private readonly initScript: Script;
  private readonly recordScript: Script;
  private readonly writtenScript: Script;
  private readonly journal: string;

  constructor(redis: SharedRedis, store: Store) {
    this.redis = redis;
    this.store = store;
    this.reserveScript = redis.script(RESERVE);
    this.initScript = redis.script(INIT);
    this.recordScript = redis.script(RECORD);
    this.writtenScript = redis.script(WRITTEN);
    this.journal = redis.key(`journal:${redis.instance}`);
  }

  get up(): boolean {
    return this.redis.up;
  }

  private counter(kind: 't' | 'u', id: number): string {
    return this.redis.key(`q:${kind}:${id}`);
  }

  /**
   * Holds `estimate` on the account's token and user counters; throws QuotaExceeded when either cannot pay. Below
   * `margin`, a balance is near its end and holds only for a caller that has its instance's turn (`turn`). Undefined
   * when Redis cannot answer for now: the caller reserves in the database instead.
   */
  async reserve(account: Account, estimate: number, turn: boolean, margin: number): Promise<SharedHold | undefined> {
    const sides: { kind: 't' | 'u'; id: number; refusal: string }[] = [];
    if (account.token)
      sides.push({ kind: 't', id: account.tokenId, refusal: 'This API key has no quota left for this request.' });
    if (account.user)
      sides.push({ kind: 'u', id: account.userId, refusal: 'Your account has no quota left for this request.' });
    const keys = sides.map((s) => this.counter(s.kind, s.id));
    for (let attempt = 0; attempt < 3; attempt++) {
      const answer = (await this.redis.attempt('quota-reserve', () =>
        this.reserveScript(keys, [estimate, COUNTER_TTL_MS, turn ? 1 : 0, margin]),
      )) as string[] | undefined;
      if (!answer) return undefined;
      const [verdict, ...rest] = answer;
      if (verdict === 'ok') {
        const epochs: QuotaEpochs = {};
        sides.forEach((side, i) => {
          if (side.kind === 't') epochs.token = rest[i]!;
          else epochs.user = rest[i]!;
        });
        return { epochs };
      }
      const side = sides[Number(rest[0]) - 1]!;
      if (verdict === 'refuse') throw new QuotaExceeded(side.refusal);
      if (verdict === 'near') return { near: side.kind };
      if (!(await this.init(side.kind, side.id))) return undefined;
    }
    return undefined;
  }

  /** Makes a counter from the database; false while Redis is rebuilding after it came back empty. */
  private async init(kind: 't' | 'u', id: number): Promise<boolean> {
    const field = `${kind}:${id}`;
    const pendingKey = this.redis.key('pending');
    const early = await this.redis.attempt('quota-init', () => this.redis.client.hget(pendingKey, field));
    if (early === undefined) return false;
    const balance =
      kind === 't'
        ? (await this.store.db.selectFrom('tokens').select('remain_quota as v').where('id', '=', id).executeTakeFirst())
            ?.v
        : (await this.store.db.selectFrom('users').select('quota as v').where('id', '=', id).executeTakeFirst())?.v;
    const made = await this.redis.attempt('quota-init', () =>
      this.initScript(
        [this.counter(kind, id), pendingKey, this.redis.key('booting')],
        [Number(balance ?? 0), Number(early ?? 0), field, randomUUID(), COUNTER_TTL_MS],
      ),
    );
    return made !== undefined && made !== 'wait';
  }

  /**
   * Bills a finished request against the counters it held on and journals its usage log, atomically; resolves
   * true once Redis has both (the log survives this instance), false when Redis could not take them.
   */
  async record(record: UsageRecord, estimate: number, epochs: QuotaEpochs | undefined): Promise<boolean> {
    const changes = balanceChanges(record);
    const keys = [this.journal, this.redis.key('pending')];
    const held: string[] = [];
    const { token_id: tokenId, user_id: userId } = record.log;
    if (tokenId != null && !record.tokenUnlimited) {
      keys.push(this.counter('t', tokenId));
      held.push(epochs?.token ?? '');
    }
    if (userId != null && changes.user !== undefined) {
      keys.push(this.counter('u', userId));
      held.push(epochs?.user ?? '');
    }
    const done = await this.redis.attempt('usage-journal', () =>
      this.recordScript(keys, [
        record.log.request_id,
        JSON.stringify(record),
        estimate,
        record.quota,
        ...this.pendingArgs(record),
        ...held,
      ]),
    );
    return done !== undefined;
  }

  /** The pending fields and amounts a record owes the database: token then user ('' when it has none). */
  private pendingArgs(record: UsageRecord): (string | number)[] {
    const changes = balanceChanges(record);
    const { token_id: tokenId, user_id: userId } = record.log;
    return [
      changes.token === undefined ? '' : `t:${tokenId}`,
      changes.token ?? 0,
      changes.user === undefined ? '' : `u:${userId}`,
      changes.user ?? 0,
    ];
  }

  /** Records are in the database: they leave the journal and what they owed leaves pending. False: Redis is away. */
  async written(records: UsageRecord[], journal = this.journal): Promise<boolean> {
    if (!records.length) return true;
    const args = records.flatMap((r) => [r.log.request_id, ...this.pendingArgs(r)]);
    const done = await this.redis.attempt('usage-journal', () =>
      this.writtenScript([journal, this.redis.key('pending')], args),
    );
    return done !== undefined;
  }

  /** Journals again what this instance still has to write, after Redis was away or came back empty. */
  async rejournal(records: UsageRecord[]): Promise<void> {
    for (const record of records) {
      if (!(await this.record(record, 0, undefined))) return;
      record.journaled = true;
    }
  }

  /** Drops counters (an admin changed these balances, or they were spent in the database): made afresh when next used. */
  async forgetBalances(tokenIds: Iterable<number>, userIds: Iterable<number>): Promise<void> {
    const keys = [
      ...[...tokenIds].map((id) => this.counter('t', id)),
      ...[...userIds].map((id) => this.counter('u', id)),
    ];
    if (keys.length) await this.redis.attempt('quota-forget', () => this.redis.client.del(...keys));
  }

  /**
   * Writes the journals of instances that died (no heartbeat) to the database: the logs they had acknowledged and
   * not yet written. One instance at a time per journal (a lock); already written logs are skipped.
   */
  async recoverDead(writer: RecoveryWriter): Promise<number> {
    const dead = await this.redis.attempt('usage-recover', () => this.redis.deadInstances());
    let recovered = 0;
    for (const id of dead ?? []) {
      const journal = this.redis.key(`journal:${id}`);
      const lock = this.redis.key(`recovering:${id}`);
      const locked = await this.redis.attempt('usage-recover', () =>
        this.redis.client.set(lock, this.redis.instance, 'PX', 60_000, 'NX'),
      );
      if (locked !== 'OK') continue;
      const entries = await this.redis.attempt('usage-recover', () => this.redis.client.hgetall(journal));
      if (entries === undefined) continue;
      const records = Object.values(entries).map((text) => JSON.parse(text) as UsageRecord);
      if (records.length) {
        recovered += await writer.writeMissing(records);
        await this.written(records, journal);
      }
      await this.redis.attempt('usage-recover', async () => {
        if ((await this.redis.client.hlen(journal)) === 0) await this.redis.forgetInstance(id);
        await this.redis.client.del(lock);
      });
    }
    return recovered;
  }
}
