/**
 * Copies a one-api / new-api database into Switchyard's: users (with their bcrypt passwords), API tokens (their keys
 * hashed as `sk-<key>`, as clients send them), channels (keys sealed), groups and ratios as prices, redemption codes.
 * Runs in one transaction; what already exists (same username, key, channel name, model price, code) is skipped, so
 * a second run creates nothing new.
 */
import { createHash } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { channelProblems } from '../channels.ts';
import { insertWithId, type Store } from '../db.ts';
import type { Database, Role } from '../schema.ts';
import type { Secret } from '../secret.ts';
import { keyHint, tokenHash } from '../tokens.ts';
import { mapChannel } from './one-api-channels.ts';

type Row = Record<string, unknown>;
const KINDS = ['groups', 'users', 'tokens', 'channels', 'prices', 'redemptions'] as const;
export type ImportKind = (typeof KINDS)[number];

export interface ImportReport {
  created: Record<ImportKind, number>;
  skipped: Record<ImportKind, number>;
  /** Why things were left out (never a key or password). */
  notes: string[];
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const num = (v: unknown, fallback = 0): number => (v === null || v === undefined || v === '' ? fallback : Number(v));
const flag = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 't';
const list = (v: unknown): string[] =>
  text(v)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const ms = (seconds: unknown): number => num(seconds) * 1000;

async function rows(source: Store, table: string): Promise<Row[]> {
  const exists = await sql<Row>`select * from ${sql.table(table)} where 1 = 0`
    .execute(source.db)
    .then(() => true)
    .catch(() => false);
  if (!exists) return [];
  const result = await sql<Row>`select * from ${sql.table(table)}`.execute(source.db);
  return result.rows.filter((r) => r.deleted_at === undefined || r.deleted_at === null);
}

function options(all: Row[]): Map<string, string> {
  return new Map(all.map((r) => [text(r.key), text(r.value)]));
}

function jsonRecord(value: string | undefined): Record<string, unknown> {
  if (!value) return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The source database's rows, read before the import starts. */
interface SourceTables {
  users: Row[];
  tokens: Row[];
  channels: Row[];
  redemptions: Row[];
  /** one-api's `options` table: key -> value. */
  options: Map<string, string>;
}

/** One import in progress: the target transaction and what the steps share. */
interface ImportRun {
  trx: Transaction<Database>;
  now: number;
  report: ImportReport;
  source: SourceTables;
  target: Store;
  secret: Secret;
  /** one-api user id -> Switchyard user id. */
  userIds: Map<number, number>;
}

/** Groups from `GroupRatio`, and any group a user is in (ratio 1). */
async function importGroups({ trx, now, report, source }: ImportRun): Promise<void> {
  const groupRatios = jsonRecord(source.options.get('GroupRatio'));
  const wanted = new Map<string, number>(Object.entries(groupRatios).map(([g, r]) => [g, Number(r) || 1]));
  for (const u of source.users) if (text(u.group) && !wanted.has(text(u.group))) wanted.set(text(u.group), 1);
  for (const [name, ratio] of wanted) {
    const found = await trx.selectFrom('groups').select('name').where('name', '=', name).executeTakeFirst();
    if (found) report.skipped.groups++;
    else {
      await trx
        .insertInto('groups')
        .values({ name, ratio, description: 'imported from one-api', created_at: now })
        .execute();
      report.created.groups++;
    }
  }
}

/** Users, keeping their bcrypt password hashes; one-api's root is root here unless there is one already. */
async function importUsers({ trx, now, report, source, target, userIds }: ImportRun): Promise<void> {
  let hasRoot =
    (await trx.selectFrom('users').select('id').where('role', '=', 'root').executeTakeFirst()) !== undefined;
  for (const u of source.users) {
    const username = text(u.username);
    const existing = await trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
    if (existing) {
      userIds.set(num(u.id), existing.id);
      report.skipped.users++;
      continue;
    }
    let role: Role = num(u.role) >= 100 ? 'root' : num(u.role) >= 10 ? 'admin' : 'user';
    if (role === 'root' && hasRoot) role = 'admin';
    if (role === 'root') hasRoot = true;
    const id = await insertWithId({ ...target, db: trx }, 'users', {
      username,
      display_name: text(u.display_name) || username,
      password_hash: text(u.password),
      role,
      group_name: text(u.group) || 'default',
      status: num(u.status, 1) === 1 ? 'enabled' : 'disabled',
      quota: num(u.quota),
      used_quota: num(u.used_quota),
      request_count: num(u.request_count),
      email: text(u.email) || null,
      access_token_hash: null,
      created_at: u.created_time ? ms(u.created_time) : now,
      updated_at: now,
    });
    userIds.set(num(u.id), id);
    report.created.users++;
  }
}

/** Tokens, hashed as clients send them (`sk-<key>`). */
async function importTokens({ trx, now, report, source, userIds }: ImportRun): Promise<void> {
  for (const t of source.tokens) {
    const key = `sk-${text(t.key).replace(/^sk-/, '')}`;
    const owner = userIds.get(num(t.user_id));
    const hash = tokenHash(key);
    const existing = await trx.selectFrom('tokens').select('id').where('key_hash', '=', hash).executeTakeFirst();
    if (existing || owner === undefined) {
      report.skipped.tokens++;
      if (owner === undefined) report.notes.push(`token '${text(t.name)}': its user is not in the source database`);
      continue;
    }
    const models =
      t.model_limits_enabled !== undefined
        ? flag(t.model_limits_enabled)
          ? list(t.model_limits)
          : []
        : list(t.models);
    const ips = list(t.subnet ?? t.allow_ips);
    const expires = num(t.expired_time, -1);
    await trx
      .insertInto('tokens')
      .values({
        user_id: owner,
        name: text(t.name) || 'imported',
        key_hash: hash,
        key_hint: keyHint(key),
        // one-api's expired (3) and exhausted (4) tokens stay enabled here: the real expiry and balance decide.
        status: num(t.status, 1) === 2 ? 'disabled' : 'enabled',
        unlimited_quota: flag(t.unlimited_quota) ? 1 : 0,
        remain_quota: num(t.remain_quota),
        used_quota: num(t.used_quota),
        expires_at: expires < 0 ? null : expires * 1000,
        models: models.length ? JSON.stringify(models) : null,
        allow_ips: ips.length ? JSON.stringify(ips) : null,
        rpm: null,
        tpm: null,
        source: 'db',
        created_at: t.created_time ? ms(t.created_time) : now,
        accessed_at: t.accessed_time ? ms(t.accessed_time) : null,
      })
      .execute();
    report.created.tokens++;
  }
}

/** Channels whose type has a provider here, checked like config providers, keys sealed. */
async function importChannels({ trx, now, report, source, secret }: ImportRun): Promise<void> {
  // Names as Switchyard allows them, a duplicate in the source numbered (`name-2`), the same on every run.
  const seen = new Set<string>();
  const channelName = (c: Row): string => {
    const base = (text(c.name) || `channel-${num(c.id)}`).replace(/[^\w.@-]+/g, '-').slice(0, 60);
    let name = base;
    for (let n = 2; seen.has(name); n++) name = `${base}-${n}`;
    seen.add(name);
    return name;
  };
  for (const c of source.channels) {
    const label = text(c.name) || `channel ${num(c.id)}`;
    const name = channelName(c);
    const mapped = mapChannel({
      type: num(c.type),
      key: text(c.key),
      base_url: c.base_url === undefined ? null : text(c.base_url),
      other: c.other === undefined ? null : text(c.other),
      config: c.config === undefined ? null : text(c.config),
    });
    if ('skip' in mapped) {
      report.skipped.channels++;
      report.notes.push(`channel '${label}': ${mapped.skip}`);
      continue;
    }
    if (await trx.selectFrom('channels').select('id').where('name', '=', name).executeTakeFirst()) {
      report.skipped.channels++;
      continue;
    }
    const modelMap = Object.fromEntries(
      Object.entries(jsonRecord(text(c.model_mapping))).filter(
        (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '',
      ),
    );
    const settings = {
      ...mapped.settings,
      models: list(c.models),
      model_map: modelMap,
      weight: Math.max(1, num(c.weight, 1)),
      // one-api tries higher priorities first; Switchyard tries lower ones first.
      priority: -num(c.priority, 0),
    };
    const [problem] = channelProblems(name, mapped.type, settings, mapped.keys);
    if (problem) {
      report.skipped.channels++;
      report.notes.push(`channel '${label}': ${problem.path}: ${problem.message}`);
      continue;
    }
    const status = num(c.status, 1);
    await trx
      .insertInto('channels')
      .values({
        name,
        type: mapped.type,
        status: status === 1 ? 'enabled' : status === 3 ? 'auto_disabled' : 'disabled',
        status_reason: status === 3 ? 'disabled automatically in one-api' : null,
        settings: JSON.stringify(settings),
        keys_sealed: secret.seal(JSON.stringify(mapped.keys)),
        // one-api's groups are real groups (`default` included): the channel serves those users only.
        groups: list(c.group).join(','),
        used_quota: num(c.used_quota),
        test_latency_ms: c.response_time ? num(c.response_time) : null,
        tested_at: c.test_time ? ms(c.test_time) : null,
        created_at: c.created_time ? ms(c.created_time) : now,
        updated_at: now,
      })
      .execute();
    report.created.channels++;
  }
}

/** `ModelRatio` × `CompletionRatio` as prices. */
async function importPrices({ trx, now, report, source }: ImportRun): Promise<void> {
  const modelRatios = jsonRecord(source.options.get('ModelRatio'));
  const completionRatios = jsonRecord(source.options.get('CompletionRatio'));
  for (const [model, ratio] of Object.entries(modelRatios)) {
    const found = await trx.selectFrom('prices').select('model').where('model', '=', model).executeTakeFirst();
    if (found || typeof ratio !== 'number') {
      report.skipped.prices++;
      continue;
    }
    // one-api: ratio 1 = $0.002 per 1K tokens = $2 per 1M; output = input × the completion ratio.
    const completion = typeof completionRatios[model] === 'number' ? (completionRatios[model] as number) : 1;
    await trx
      .insertInto('prices')
      .values({
        model,
        input: ratio * 2,
        output: ratio * completion * 2,
        cached_input: null,
        cache_write: null,
        updated_at: now,
      })
      .execute();
    report.created.prices++;
  }
}

/** Redemption codes, hashed; used ones stay used. */
async function importRedemptions({ trx, now, report, source, userIds }: ImportRun): Promise<void> {
  for (const r of source.redemptions) {
    const hash = createHash('sha256').update(text(r.key)).digest('hex');
    const found = await trx.selectFrom('redemptions').select('id').where('code_hash', '=', hash).executeTakeFirst();
    if (found) {
      report.skipped.redemptions++;
      continue;
    }
    const status = num(r.status, 1);
    await trx
      .insertInto('redemptions')
      .values({
        name: text(r.name) || 'imported',
        code_hash: hash,
        quota: num(r.quota),
        status: status === 3 ? 'used' : status === 2 ? 'disabled' : 'unused',
        created_by: null,
        created_at: r.created_time ? ms(r.created_time) : now,
        redeemed_by: status === 3 ? (userIds.get(num(r.user_id)) ?? null) : null,
        redeemed_at: r.redeemed_time ? ms(r.redeemed_time) : null,
      })
      .execute();
    report.created.redemptions++;
  }
}

export async function importOneApi(
  source: Store,
  target: Store,
  secret: Secret,
  { dryRun = false }: { dryRun?: boolean } = {},
): Promise<ImportReport> {
  const report: ImportReport = {
    created: Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<ImportKind, number>,
    skipped: Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<ImportKind, number>,
    notes: [],
  };
  const [users, tokens, channels, optionRows, redemptions] = await Promise.all(
    ['users', 'tokens', 'channels', 'options', 'redemptions'].map((t) => rows(source, t)),
  );
  const tables: SourceTables = {
    users: users!,
    tokens: tokens!,
    channels: channels!,
    redemptions: redemptions!,
    options: options(optionRows!),
  };
  const apply = async (trx: Transaction<Database>): Promise<void> => {
    const run: ImportRun = { trx, now: Date.now(), report, source: tables, target, secret, userIds: new Map() };
    for (const step of [importGroups, importUsers, importTokens, importChannels, importPrices, importRedemptions]) {
      await step(run);
    }
    if (dryRun) throw new DryRun();
  };
  try {
    await (target.db as Kysely<Database>).transaction().execute(apply);
  } catch (err) {
    if (!(err instanceof DryRun)) throw err;
  }
  return report;
}

/** Rolls a dry run's transaction back once everything was counted. */
class DryRun extends Error {}
