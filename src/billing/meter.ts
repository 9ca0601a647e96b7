/**
 * Quota before and after a request: `hold` checks that the token's and its user's balances can pay the request's
 * estimate; `settle` bills the real cost from the answer's usage through the usage writer.
 *
 * With Redis, the estimate is held on shared counters (SharedLedger) and the log journaled there before the client
 * is answered. Without it, balances are this process's view of the database, and near the end of a balance the
 * estimate is reserved in the database so that other instances cannot spend it too; while Redis is away, every
 * estimate is reserved in the database.
 */
import { sql } from 'kysely';
import { QuotaExceeded } from '../core/errors.ts';
import type { Usage } from '../core/types.ts';
import { metrics, observeUsage } from '../metrics.ts';
import type { Account, Balance } from '../server/auth.ts';
import type { QuotaEpochs, SharedLedger } from '../state/ledger.ts';
import type { Store } from '../store/db.ts';
import type { NewUsageLog } from '../store/schema.ts';
import type { UsageRecord, UsageWriter } from '../store/usage-writer.ts';
import { type Cost, costOf, estimateQuota, type Price } from './cost.ts';

export interface PriceLookup {
  of(model: string): Price | undefined;
}

export interface Hold {
  account: Account | undefined;
  estimate: number;
  /** Taken from the database balances up front (near the end of a balance). */
  tokenReserved: number;
  userReserved: number;
  /** Held on the shared counters of these epochs (with Redis). */
  epochs?: QuotaEpochs | undefined;
  /** Lets the next request of a balance near its end go (with Redis; see Meter.holdShared). */
  unlock?: (() => void) | undefined;
}

/** A balance this many times the estimate or more is trusted without a reservation in the database. */
const RESERVE_BELOW = 100;

/** How long a balance seen near its end stays so without being seen again (a top-up ends it that late). */
const NEAR_END_MEMORY_MS = 10_000;

const NO_HOLD: Hold = { account: undefined, estimate: 0, tokenReserved: 0, userReserved: 0 };

export class Meter {
  private readonly store: Store;
  private readonly writer: UsageWriter;
  private readonly prices: PriceLookup;
  private readonly ledger: SharedLedger | undefined;
  /** Balances reserved in the database while Redis was away: their shared counters are made afresh when it is back. */
  private readonly spentAside = { tokens: new Set<number>(), users: new Set<number>() };
  /** Balances seen near their end (`t:<id>` / `u:<id>`), until when: their requests go one at a time here. */
  private readonly nearEnd = new Map<string, number>();
  /** Per balance near its end: the request going now and those waiting, as a chain. */
  private readonly turns = new Map<string, Promise<void>>();

  constructor(store: Store, writer: UsageWriter, prices: PriceLookup, ledger?: SharedLedger) {
    this.store = store;
    this.writer = writer;
    this.prices = prices;
    this.ledger = ledger;
  }

  /** After a Redis outage: the counters of balances spent in the database meanwhile no longer know it. */
  async redisBack(): Promise<void> {
    const { tokens, users } = this.spentAside;
    if (!this.ledger || (!tokens.size && !users.size)) return;
    await this.ledger.forgetBalances([...tokens], [...users]);
    tokens.clear();
    users.clear();
  }

  priceOf(model: string, upstreamModel?: string): Price | undefined {
    return (upstreamModel === undefined ? undefined : this.prices.of(upstreamModel)) ?? this.prices.of(model);
  }

  /** Refuses a request the balances cannot pay; otherwise holds its estimate until `settle`. */
  hold(
    account: Account | undefined,
    model: string,
    promptTokens: () => number,
    maxTokens: number | undefined,
  ): Hold | Promise<Hold> {
    if (!account || (!account.token && !account.user)) return account ? { ...NO_HOLD, account } : NO_HOLD;
    const estimate = estimateQuota(promptTokens(), maxTokens, this.priceOf(model), account.groupRatio);
    if (this.ledger) return this.holdShared(account, estimate, this.ledger);
    const tokenNear = this.check(account.token, estimate, 'This API key has no quota left for this request.');
    const userNear = this.check(account.user, estimate, 'Your account has no quota left for this request.');
    if (!tokenNear && !userNear) {
      if (account.token) account.token.held += estimate;
      if (account.user) account.user.held += estimate;
      return { account, estimate, tokenReserved: 0, userReserved: 0 };
    }
    return this.reserve(account, estimate, tokenNear, userNear);
  }

  /**
   * Holds the estimate on the shared counters (in the database while Redis is away). An estimate can fall short of
   * the real cost (an answer longer than guessed), so near the end of a balance this instance lets one request of it
   * run at a time: however many instances, a balance is overspent by at most one request's shortfall per instance.
   * Whether a balance is near its end is decided atomically with the hold (Redis or a conditional UPDATE).
   */
  private async holdShared(account: Account, estimate: number, ledger: SharedLedger): Promise<Hold> {
    const margin = estimate * RESERVE_BELOW;
    /** The hold, or which balance is near its end. */
    const attempt = async (turn: boolean): Promise<Hold | 't' | 'u'> => {
      const held = ledger.up ? await ledger.reserve(account, estimate, turn, margin) : undefined;
      if (held) {
        if ('near' in held) return held.near;
        return { account, estimate, tokenReserved: 0, userReserved: 0, epochs: held.epochs };
      }
      metrics.limitFallbacks.inc({ kind: 'quota' });
      if (account.token) this.spentAside.tokens.add(account.tokenId);
      if (account.user) this.spentAside.users.add(account.userId);
      try {
        return await this.reserve(account, estimate, !!account.token, !!account.user, turn ? 0 : margin);
      } catch (err) {
        if (turn || !(err instanceof QuotaExceeded)) throw err;
        return account.user ? 'u' : 't';
      }
    };
    let turn = this.nearTurn(account);
    for (;;) {
      const unlock = turn ? await this.take(turn) : undefined;
      let held: Hold | 't' | 'u';
      try {
        held = await attempt(unlock !== undefined);
      } catch (err) {
        unlock?.();
        throw err;
      }
      if (typeof held !== 'string') {
        held.unlock = unlock;
        return held;
      }
      // Near its end (only said to a caller without a turn): wait for this instance's turn on it, then again.
      turn = held === 'u' ? `u:${account.userId}` : `t:${account.tokenId}`;
      this.nearEnd.set(turn, Date.now() + NEAR_END_MEMORY_MS);
    }
  }

  /** The balance whose requests must take turns (the user's when both are near their end), if any. */
  private nearTurn(account: Account): string | undefined {
    if (!this.nearEnd.size) return undefined;
    const now = Date.now();
    const near = (key: string): boolean => {
      const until = this.nearEnd.get(key);
      if (until === undefined) return false;
      if (until > now) return true;
      this.nearEnd.delete(key);
      return false;
    };
    if (account.user && near(`u:${account.userId}`)) return `u:${account.userId}`;
    if (account.token && near(`t:${account.tokenId}`)) return `t:${account.tokenId}`;
    return undefined;
  }

  /** Waits for the balance's turn; resolves with what ends it. */
  private async take(balance: string): Promise<() => void> {
    const before = this.turns.get(balance) ?? Promise.resolve();
    let end!: () => void;
    const mine = new Promise<void>((resolve) => {
      end = resolve;
    });
    const chain = before.then(() => mine);
    this.turns.set(balance, chain);
    await before;
    return () => {
      end();
      if (this.turns.get(balance) === chain) this.turns.delete(balance);
    };
  }

  /** Throws when the balance cannot pay; says whether it is near its end (then the estimate is reserved). */
  private check(balance: Balance | undefined, estimate: number, refusal: string): boolean {
    if (!balance) return false;
    const free = balance.stored - balance.held;
    if (free <= 0 || free < estimate) throw new QuotaExceeded(refusal);
    return free < estimate * RESERVE_BELOW;
  }

  /** Takes the estimate from the database balances at once; refused when another instance spent them meanwhile. */
  /** With a `margin`, refused also when the balance would fall below it (near its end: the caller takes turns). */
  private async reserve(account: Account, estimate: number, token: boolean, user: boolean, margin = 0): Promise<Hold> {
    const hold: Hold = { account, estimate, tokenReserved: 0, userReserved: 0 };
    await this.store.db.transaction().execute(async (trx) => {
      if (token) {
        const taken = await trx
          .updateTable('tokens')
          .set({ remain_quota: sql`remain_quota - ${estimate}` })
          .where('id', '=', account.tokenId)
          .where('remain_quota', '>=', Math.max(estimate, 1) + margin)
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) !== 1)
          throw new QuotaExceeded('This API key has no quota left for this request.');
      }
      if (user) {
        const taken = await trx
          .updateTable('users')
          .set({ quota: sql`quota - ${estimate}` })
          .where('id', '=', account.userId)
          .where('quota', '>=', Math.max(estimate, 1) + margin)
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) !== 1)
          throw new QuotaExceeded('Your account has no quota left for this request.');
      }
    });
    if (token) {
      hold.tokenReserved = estimate;
      account.token!.stored -= estimate;
    } else if (account.token) account.token.held += estimate;
    if (user) {
      hold.userReserved = estimate;
      account.user!.stored -= estimate;
    } else if (account.user) account.user.held += estimate;
    return hold;
  }

  /**
   * Bills the request: the cost from its usage (zero without usage or price), the hold released, and the usage log
   * queued. Returns the cost; the promise, when there is one, is the writer's back-pressure.
   */
  settle(
    hold: Hold,
    usage: Usage | undefined,
    log: Omit<NewUsageLog, 'quota' | 'cost_usd' | 'user_id' | 'token_id' | 'token_name'>,
  ): { cost: Cost; written: Promise<void> | undefined } {
    const { account } = hold;
    const cost = costOf(usage, this.priceOf(log.model, log.upstream_model ?? undefined), account?.groupRatio ?? 1);
    // The log's token counts, not `usage`: a virtual model's calls are logged with them but billed at no cost.
    observeUsage(log.model, log.channel ?? null, log, cost.usd);
    // This process's view of the balances (without Redis; with it, the shared counters are the view).
    if (account?.token && !this.ledger) {
      account.token.held -= hold.estimate - hold.tokenReserved;
      account.token.stored -= cost.quota - hold.tokenReserved;
    }
    if (account?.user && !this.ledger) {
      account.user.held -= hold.estimate - hold.userReserved;
      account.user.stored -= cost.quota - hold.userReserved;
    }
    const record: UsageRecord = {
      log: {
        ...log,
        user_id: account?.userId ?? null,
        token_id: account?.tokenId ?? null,
        token_name: account?.tokenName ?? 'anonymous',
        quota: cost.quota,
        cost_usd: cost.usd,
      },
      quota: cost.quota,
      tokenReserved: hold.tokenReserved,
      userReserved: hold.userReserved,
      tokenUnlimited: account?.token === undefined,
    };
    const reserved = hold.tokenReserved > 0 || hold.userReserved > 0;
    if (!this.ledger && !reserved) return { cost, written: this.writer.add(record) };
    const { ledger } = this;
    const written = (reserved ? this.settleReserved(record) : Promise.resolve()).then(async () => {
      // Journaled (and billed on the shared counters) before the client hears the end of its answer.
      if (ledger) record.journaled = await ledger.record(record, hold.estimate, hold.epochs);
      hold.unlock?.();
      return this.writer.add(record);
    });
    return { cost, written };
  }

  /**
   * A request whose estimate was reserved in the database is settled there at once: the next reservation sees its
   * real cost, not the estimate, even before the usage log is written.
   */
  private async settleReserved(record: UsageRecord): Promise<void> {
    const { token_id: tokenId, user_id: userId } = record.log;
    try {
      await this.store.db.transaction().execute(async (trx) => {
        if (record.tokenReserved > 0 && tokenId != null) {
          await trx
            .updateTable('tokens')
            .set({ remain_quota: sql`remain_quota - ${record.quota - record.tokenReserved}` })
            .where('id', '=', tokenId)
            .execute();
        }
        if (record.userReserved > 0 && userId != null) {
          await trx
            .updateTable('users')
            .set({ quota: sql`quota - ${record.quota - record.userReserved}` })
            .where('id', '=', userId)
            .execute();
        }
      });
    } catch {
      return; // The usage writer moves the balances instead, with the log.
    }
    if (record.tokenReserved > 0) record.tokenReserved = record.quota;
    if (record.userReserved > 0) record.userReserved = record.quota;
  }
}
