/**
 * Client authentication: API tokens from the database (config-file keys are mirrored there so that they are metered
 * the same way), looked up by the SHA-256 of the presented key and cached for a few seconds, with each token's own
 * limits, expiry, IP allow-list and the balances that billing draws on.
 */

import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIPv6 } from 'node:net';
import { quotaOf } from '../billing/cost.ts';
import type { Config } from '../config/schema.ts';
import { Forbidden, RateLimited, Unauthorized } from '../core/errors.ts';
import type { ReasoningFormat } from '../formats/types.ts';
import { rejected } from '../metrics.ts';
import type { RateLimiter, WindowVerdict } from '../state/keyed-limits.ts';
import type { Store } from '../store/db.ts';
import { keyHint, listColumn, newTokenRow, tokenHash } from '../store/tokens.ts';
import type { UsageWriter } from '../store/usage-writer.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The relay's caller, set by the authentication hook before a relay handler runs. */
    client: Client;
  }
}

/** A balance in quota units, as this process knows it. */
export interface Balance {
  /** The remaining quota: the database's when last read, less what this process billed that is not written yet. */
  stored: number;
  /** Estimates of requests in flight that reserved nothing in the database yet. */
  held: number;
}

/** Whom a request is billed to. */
export interface Account {
  tokenId: number;
  tokenName: string;
  userId: number;
  group: string;
  groupRatio: number;
  /** Undefined when unlimited. */
  token: Balance | undefined;
  user: Balance | undefined;
}

/** A caller the gateway recognised. */
export interface Client {
  /** Log-safe name: the token's name, or `anonymous`. */
  name: string;
  /** Models this client may use; undefined means all. */
  models: ReadonlySet<string> | undefined;
  /** The token's own limits per minute (requests, tokens), counted under its id. */
  rpm: number | undefined;
  tpm: number | undefined;
  /** The key's default place for reasoning in OpenAI-format answers. */
  reasoningFormat?: ReasoningFormat;
  /** Undefined only for the open relay (no keys anywhere). */
  account: Account | undefined;
}

interface CachedToken {
  client: Client;
  status: 'enabled' | 'disabled';
  userEnabled: boolean;
  expiresAt: number | null;
  allowIps: BlockList | undefined;
  loadedAt: number;
}

/** Playground tokens' key_hash: never the hex SHA-256 a presented key hashes to. */
const PLAYGROUND_HASH_PREFIX = 'playground:';

const OPEN_CLIENT: Client = {
  name: 'anonymous',
  models: undefined,
  rpm: undefined,
  tpm: undefined,
  account: undefined,
};
/** How long a token read from the database is trusted before it is read again (edits elsewhere take this long). */
const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 10_000;

/** The credential a request presents: Bearer, x-api-key (Anthropic clients), x-goog-api-key or ?key= (Gemini clients). */
export function presentedKey(headers: IncomingHttpHeaders, query: unknown): string | undefined {
  const authorization = headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    return match ? match[1]!.trim() : undefined;
  }
  const header = headers['x-api-key'] ?? headers['x-goog-api-key'];
  if (typeof header === 'string' && header) return header.trim();
  const key = (query as { key?: unknown } | undefined)?.key;
  return typeof key === 'string' && key ? key : undefined;
}

function allowList(entries: string[] | null): BlockList | undefined {
  if (!entries?.length) return undefined;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

function allowed(list: BlockList, ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return isIPv6(v4) ? list.check(v4, 'ipv6') : list.check(v4, 'ipv4');
}

export class ClientKeys {
  private readonly store: Store;
  private readonly writer: UsageWriter;
  private readonly configKeys: Config['auth']['keys'];
  /** Per config key (by hash): what the tokens table has no column for. */
  private readonly configExtras = new Map<string, { reasoningFormat?: ReasoningFormat }>();
  private readonly cache = new Map<string, CachedToken>();
  /** Keys looked up and not found, until when: a flood of bad keys does not reach the database. */
  private readonly unknown = new Map<string, number>();
  private readonly tokenBalances = new Map<number, Balance>();
  private readonly userBalances = new Map<number, Balance>();
  private openUntil = 0;
  private isOpen = false;

  constructor(configKeys: Config['auth']['keys'], store: Store, writer: UsageWriter) {
    this.configKeys = configKeys;
    this.store = store;
    this.writer = writer;
  }

  /**
   * Mirrors the config file's keys into the tokens table (source `config`, owned by root) so that they are metered
   * and listed like database tokens; a key removed from the config is disabled, not deleted, to keep its history.
   */
  async start(): Promise<void> {
    const { db } = this.store;
    const root = await db.selectFrom('users').select('id').where('role', '=', 'root').executeTakeFirstOrThrow();
    const now = Date.now();
    const present = new Set<string>();
    for (const [i, k] of this.configKeys.entries()) {
      const spec = typeof k === 'string' ? { key: k } : k;
      const hash = tokenHash(spec.key);
      present.add(hash);
      if ('reasoning_format' in spec && spec.reasoning_format) {
        this.configExtras.set(hash, { reasoningFormat: spec.reasoning_format });
      }
      const fields = {
        name: ('name' in spec && spec.name) || `key#${i + 1}`,
        status: 'enabled' as const,
        models: 'models' in spec && spec.models ? JSON.stringify(spec.models) : null,
        rpm: ('rpm' in spec && spec.rpm) || null,
        tpm: ('tpm' in spec && spec.tpm) || null,
        unlimited_quota: 'quota_usd' in spec && spec.quota_usd !== undefined ? (0 as const) : (1 as const),
      };
      const existing = await db
        .selectFrom('tokens')
        .select(['id', 'used_quota'])
        .where('key_hash', '=', hash)
        .executeTakeFirst();
      const quota = 'quota_usd' in spec && spec.quota_usd !== undefined ? quotaOf(spec.quota_usd) : 0;
      if (existing) {
        await db
          .updateTable('tokens')
          .set({ ...fields, source: 'config', remain_quota: quota - existing.used_quota })
          .where('id', '=', existing.id)
          .execute();
      } else {
        await db
          .insertInto('tokens')
          .values(
            newTokenRow({
              ...fields,
              user_id: root.id,
              key_hash: hash,
              key_hint: keyHint(spec.key),
              remain_quota: quota,
              source: 'config',
              created_at: now,
            }),
          )
          .execute();
      }
    }
    const mirrored = await db.selectFrom('tokens').select(['id', 'key_hash']).where('source', '=', 'config').execute();
    const gone = mirrored.filter((t) => !present.has(t.key_hash)).map((t) => t.id);
    if (gone.length) await db.updateTable('tokens').set({ status: 'disabled' }).where('id', 'in', gone).execute();
    await this.refreshOpen(now);
  }

  /** Drops every cached token: an admin changed tokens or users. */
  forget(): void {
    this.cache.clear();
    this.unknown.clear();
    this.openUntil = 0;
  }

  /** No key anywhere and no database channel: the relay is open to anyone who can reach it. */
  get open(): boolean {
    return this.isOpen;
  }

  /**
   * Open only while nothing but the config file is in play: no key there, no token and no channel in the database.
   * A channel made in the admin API closes the relay until tokens are made, so its keys are never spent by anyone.
   */
  private async refreshOpen(now: number): Promise<void> {
    const { db } = this.store;
    const tokens = await db
      .selectFrom('tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'enabled')
      .where('source', '!=', 'playground')
      .executeTakeFirstOrThrow();
    const channels = await db
      .selectFrom('channels')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    this.isOpen = Number(tokens.n) === 0 && Number(channels.n) === 0;
    this.openUntil = now + CACHE_TTL_MS;
  }

  /** The client a presented key belongs to; a cached token answers without touching the database. */
  authenticate(key: string | undefined, ip: string): Client | Promise<Client> {
    const now = Date.now();
    if (!key) return this.anonymous(now, 'Missing API key: send it as "Authorization: Bearer <key>".');
    return this.byHash(tokenHash(key), ip, now);
  }

  /**
   * The client a logged-in user's playground requests run as: their own token (made on first use, unlimited, so only
   * the user's balance and group apply), billed and logged like any other. Its key hash is not a SHA-256 of
   * anything, so no key presented to the relay can ever match it.
   */
  async playground(userId: number, ip: string): Promise<Client> {
    const hash = `${PLAYGROUND_HASH_PREFIX}${userId}`;
    const now = Date.now();
    if (!this.cache.has(hash)) {
      const exists = await this.store.db
        .selectFrom('tokens')
        .select('id')
        .where('key_hash', '=', hash)
        .executeTakeFirst();
      if (!exists) {
        try {
          await this.store.db
            .insertInto('tokens')
            .values(
              newTokenRow({
                user_id: userId,
                name: 'playground',
                key_hash: hash,
                key_hint: 'playground',
                source: 'playground',
              }),
            )
            .execute();
        } catch (err) {
          // Another request made it first (the hash is unique): use that one.
          const made = await this.store.db
            .selectFrom('tokens')
            .select('id')
            .where('key_hash', '=', hash)
            .executeTakeFirst();
          if (!made) throw err;
        }
        this.unknown.delete(hash);
      }
    }
    return this.byHash(hash, ip, now);
  }

  private byHash(hash: string, ip: string, now: number): Client | Promise<Client> {
    const cached = this.cache.get(hash);
    if (cached && now - cached.loadedAt < CACHE_TTL_MS) return this.admit(cached, ip, now);
    const unknownUntil = this.unknown.get(hash);
    if (unknownUntil !== undefined && unknownUntil > now) return this.anonymous(now, 'Invalid API key.');
    return this.load(hash, now).then((loaded) =>
      loaded ? this.admit(loaded, ip, now) : this.anonymous(now, 'Invalid API key.'),
    );
  }

  private anonymous(now: number, refusal: string): Client | Promise<Client> {
    const answer = (): Client => {
      if (this.isOpen) return OPEN_CLIENT;
      throw new Unauthorized(refusal);
    };
    return this.openUntil > now ? answer() : this.refreshOpen(now).then(answer);
  }

  private admit(token: CachedToken, ip: string, now: number): Client {
    if (token.status !== 'enabled' || !token.userEnabled) throw new Unauthorized('This API key is disabled.');
    if (token.expiresAt !== null && token.expiresAt <= now) {
      throw new Unauthorized(`This API key expired at ${new Date(token.expiresAt).toISOString()}.`);
    }
    if (token.allowIps && !allowed(token.allowIps, ip)) {
      throw new Forbidden(`This API key may not be used from ${ip}.`, 'ip_not_allowed');
    }
    return token.client;
  }

  private async load(hash: string, now: number): Promise<CachedToken | undefined> {
    const row = await this.store.db
      .selectFrom('tokens')
      .innerJoin('users', 'users.id', 'tokens.user_id')
      .leftJoin('groups', 'groups.name', 'users.group_name')
      .select([
        'tokens.id',
        'tokens.name',
        'tokens.status',
        'tokens.unlimited_quota',
        'tokens.remain_quota',
        'tokens.expires_at',
        'tokens.models',
        'tokens.allow_ips',
        'tokens.rpm',
        'tokens.tpm',
        'users.id as user_id',
        'users.status as user_status',
        'users.quota as user_quota',
        'users.group_name',
        'groups.ratio',
      ])
      .where('tokens.key_hash', '=', hash)
      .executeTakeFirst();
    if (!row) {
      if (this.unknown.size >= CACHE_MAX) this.unknown.clear();
      this.unknown.set(hash, now + CACHE_TTL_MS);
      return undefined;
    }
    const models = listColumn(row.models);
    const client: Client = {
      name: row.name,
      models: models ? new Set(models) : undefined,
      rpm: row.rpm ?? undefined,
      tpm: row.tpm ?? undefined,
      account: {
        tokenId: row.id,
        tokenName: row.name,
        userId: row.user_id,
        group: row.group_name,
        groupRatio: row.ratio ?? 1,
        token: row.unlimited_quota
          ? undefined
          : this.balance(this.tokenBalances, row.id, row.remain_quota - this.writer.unflushedForToken(row.id)),
        user:
          row.user_quota === null
            ? undefined
            : this.balance(this.userBalances, row.user_id, row.user_quota - this.writer.unflushedForUser(row.user_id)),
      },
    };
    const extras = this.configExtras.get(hash);
    if (extras?.reasoningFormat) client.reasoningFormat = extras.reasoningFormat;
    const entry: CachedToken = {
      client,
      status: row.status,
      userEnabled: row.user_status === 'enabled',
      expiresAt: row.expires_at,
      allowIps: allowList(listColumn(row.allow_ips)),
      loadedAt: now,
    };
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(hash, entry);
    return entry;
  }

  /** The same Balance object across reloads, so estimates held by requests in flight are kept. */
  private balance(map: Map<number, Balance>, id: number, stored: number): Balance {
    const balance = map.get(id);
    if (balance) {
      balance.stored = stored;
      return balance;
    }
    const fresh = { stored, held: 0 };
    map.set(id, fresh);
    return fresh;
  }
}

/** Whose server-side state (stored responses, conversations) a client reads and writes: its token's. */
export function ownerOf(client: Client): string {
  return client.account ? `t:${client.account.tokenId}` : client.name;
}

/** Refuses a model outside the client's allow-list. */
export function checkModelAccess(client: Client, model: string): void {
  if (client.models && !client.models.has(model)) {
    throw new Forbidden(`This API key may not use the model '${model}'.`, 'model_not_allowed');
  }
}

const MINUTE_MS = 60_000;

/** Counts one request against the token's rpm, and refuses when its rpm or tpm window is full. */
export function admitRequest(client: Client, limiter: RateLimiter): void | Promise<void> {
  const tokenId = client.account?.tokenId;
  if (tokenId === undefined || (!client.rpm && !client.tpm)) return;
  const tpm = client.tpm ? limiter.take(`tpm:${tokenId}`, client.tpm, MINUTE_MS, 1, false) : undefined;
  const rpmOf = (): WindowVerdict | Promise<WindowVerdict> | undefined =>
    client.rpm ? limiter.take(`rpm:${tokenId}`, client.rpm, MINUTE_MS) : undefined;
  const check = (verdict: WindowVerdict | undefined, kind: 'rpm' | 'tpm'): void => {
    if (!verdict || verdict.allowed) return;
    rejected[kind].inc();
    const what = kind === 'rpm' ? 'requests-per-minute' : 'tokens-per-minute';
    throw new RateLimited(`This API key reached its ${what} limit.`, Math.ceil(verdict.retryAfterMs / 1000));
  };
  if (tpm instanceof Promise)
    return tpm.then(async (verdict) => {
      check(verdict, 'tpm');
      check(await rpmOf(), 'rpm');
    });
  check(tpm, 'tpm');
  const rpm = rpmOf();
  if (rpm instanceof Promise) return rpm.then((verdict) => check(verdict, 'rpm'));
  check(rpm, 'rpm');
}

/** Counts the tokens a request used against its token's tpm. */
export function countTokens(client: Client, limiter: RateLimiter, tokens: number): void {
  const tokenId = client.account?.tokenId;
  if (client.tpm && tokens && tokenId !== undefined) limiter.add(`tpm:${tokenId}`, client.tpm, MINUTE_MS, tokens);
}
