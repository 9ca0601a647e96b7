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
import { metrics } from '../metrics.ts';
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
}

/** A balance this many times the estimate or more is trusted without a reservation in the database. */
const RESERVE_BELOW = 100;

const NO_HOLD: Hold = { account: undefined, estimate: 0, tokenReserved: 0, userReserved: 0 };

export class Meter {
  private readonly store: Store;
  private readonly writer: UsageWriter;
  private readonly prices: PriceLookup;
  private readonly ledger: SharedLedger | undefined;
  /** Balances reserved in the database while Redis was away: their shared counters are made afresh when it is back. */
  private readonly spentAside = { tokens: new Set<number>(), users: new Set<number>() };

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

  private async holdShared(account: Account, estimate: number, ledger: SharedLedger): Promise<Hold> {
    const epochs = ledger.up ? await ledger.reserve(account, estimate) : undefined;
    if (epochs) return { account, estimate, tokenReserved: 0, userReserved: 0, epochs };
    metrics.limitFallbacks.inc({ kind: 'quota' });
    if (account.token) this.spentAside.tokens.add(account.tokenId);
    if (account.user) this.spentAside.users.add(account.userId);
    return this.reserve(account, estimate, account.token !== undefined, account.user !== undefined);
  }

  /** Throws when the balance cannot pay; says whether it is near its end (then the estimate is reserved). */
  private check(balance: Balance | undefined, estimate: number, refusal: string): boolean {
    if (!balance) return false;
    const free = balance.stored - balance.held;
    if (free <= 0 || free < estimate) throw new QuotaExceeded(refusal);
    return free < estimate * RESERVE_BELOW;
  }

  /** Takes the estimate from the database balances at once; refused when another instance spent them meanwhile. */
  private async reserve(account: Account, estimate: number, token: boolean, user: boolean): Promise<Hold> {
    const hold: Hold = { account, estimate, tokenReserved: 0, userReserved: 0 };
    await this.store.db.transaction().execute(async (trx) => {
      if (token) {
        const taken = await trx
          .updateTable('tokens')
          .set({ remain_quota: sql`remain_quota - ${estimate}` })
          .where('id', '=', account.tokenId)
          .where('remain_quota', '>=', Math.max(estimate, 1))
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) !== 1)
          throw new QuotaExceeded('This API key has no quota left for this request.');
      }
      if (user) {
        const taken = await trx
          .updateTable('users')
          .set({ quota: sql`quota - ${estimate}` })
          .where('id', '=', account.userId)
          .where('quota', '>=', Math.max(estimate, 1))
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
    if (!this.ledger) return { cost, written: this.writer.add(record) };
    // Journaled (and billed on the shared counters) before the client hears the end of its answer.
    const written = this.ledger.record(record, hold.estimate, hold.epochs).then((journaled) => {
      record.journaled = journaled;
      return this.writer.add(record);
    });
    return { cost, written };
  }
}
