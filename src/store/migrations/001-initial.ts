/** The first schema: users, groups, tokens, channels, prices, usage logs, redemptions, top-ups and options. */
import { type ColumnDataType, type CreateTableBuilder, type Kysely, sql } from 'kysely';
import type { Engine } from '../db.ts';

/** An auto-increment integer primary key in each engine's own spelling. */
export function withId<T extends string>(
  table: CreateTableBuilder<T, never>,
  engine: Engine,
): CreateTableBuilder<T, 'id'> {
  if (engine === 'postgres') return table.addColumn('id', 'bigserial', (c) => c.primaryKey());
  if (engine === 'mysql') return table.addColumn('id', 'bigint', (c) => c.primaryKey().autoIncrement());
  return table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  // MySQL's TEXT holds 64 KiB: a channel's model list or a long error can be longer.
  const longText: ColumnDataType = engine === 'mysql' ? (sql`mediumtext` as unknown as ColumnDataType) : 'text';
  const name = 'varchar(191)'; // MySQL indexes at most 767 bytes of a utf8mb4 column.
  const hash = 'varchar(64)';
  const ms = 'bigint';
  const money = 'double precision';

  await withId(db.schema.createTable('users'), engine)
    .addColumn('username', name, (c) => c.notNull().unique())
    .addColumn('display_name', name, (c) => c.notNull().defaultTo(''))
    .addColumn('password_hash', 'varchar(255)', (c) => c.notNull())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('group_name', name, (c) => c.notNull().defaultTo('default'))
    .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('enabled'))
    .addColumn('quota', 'bigint')
    .addColumn('used_quota', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('request_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('email', name)
    .addColumn('access_token_hash', hash, (c) => c.unique())
    .addColumn('session_epoch', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('groups')
    .addColumn('name', name, (c) => c.primaryKey())
    .addColumn('ratio', money, (c) => c.notNull().defaultTo(1))
    .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable('tokens'), engine)
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('name', name, (c) => c.notNull())
    .addColumn('key_hash', hash, (c) => c.notNull().unique())
    .addColumn('key_hint', 'varchar(32)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('enabled'))
    .addColumn('unlimited_quota', 'smallint', (c) => c.notNull().defaultTo(0))
    .addColumn('remain_quota', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('used_quota', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', ms)
    .addColumn('models', longText)
    .addColumn('allow_ips', longText)
    .addColumn('rpm', 'integer')
    .addColumn('tpm', 'integer')
    .addColumn('source', 'varchar(16)', (c) => c.notNull().defaultTo('db'))
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('accessed_at', ms)
    .execute();
  await db.schema.createIndex('tokens_user').on('tokens').column('user_id').execute();

  await withId(db.schema.createTable('channels'), engine)
    .addColumn('name', name, (c) => c.notNull().unique())
    .addColumn('type', 'varchar(64)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('enabled'))
    .addColumn('status_reason', 'varchar(1024)')
    .addColumn('settings', longText, (c) => c.notNull())
    .addColumn('keys_sealed', longText, (c) => c.notNull())
    .addColumn('groups', 'varchar(1024)', (c) => c.notNull().defaultTo(''))
    .addColumn('used_quota', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('test_latency_ms', 'integer')
    .addColumn('tested_at', ms)
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('prices')
    .addColumn('model', name, (c) => c.primaryKey())
    .addColumn('input', money, (c) => c.notNull())
    .addColumn('output', money, (c) => c.notNull())
    .addColumn('cached_input', money)
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();

  await withId(db.schema.createTable('usage_logs'), engine)
    .addColumn('request_id', hash, (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('user_id', 'bigint')
    .addColumn('token_id', 'bigint')
    .addColumn('token_name', name, (c) => c.notNull().defaultTo(''))
    .addColumn('channel', name)
    .addColumn('model', name, (c) => c.notNull())
    .addColumn('upstream_model', name)
    .addColumn('prompt_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('completion_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cached_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('quota', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_usd', money, (c) => c.notNull().defaultTo(0))
    .addColumn('latency_ms', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ttft_ms', 'integer')
    .addColumn('stream', 'smallint', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('error', longText)
    .addColumn('ip', 'varchar(64)')
    .execute();
  await db.schema.createIndex('usage_logs_request').on('usage_logs').column('request_id').execute();
  await db.schema.createIndex('usage_logs_created').on('usage_logs').column('created_at').execute();
  await db.schema.createIndex('usage_logs_user').on('usage_logs').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('usage_logs_token').on('usage_logs').columns(['token_id', 'created_at']).execute();

  await withId(db.schema.createTable('redemptions'), engine)
    .addColumn('name', name, (c) => c.notNull())
    .addColumn('code_hash', hash, (c) => c.notNull().unique())
    .addColumn('quota', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('unused'))
    .addColumn('created_by', 'bigint')
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('redeemed_by', 'bigint')
    .addColumn('redeemed_at', ms)
    .execute();

  await withId(db.schema.createTable('topups'), engine)
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('quota', 'bigint', (c) => c.notNull())
    .addColumn('source', 'varchar(16)', (c) => c.notNull())
    .addColumn('reference', name)
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('topups_user').on('topups').column('user_id').execute();

  await db.schema
    .createTable('options')
    .addColumn('key', name, (c) => c.primaryKey())
    .addColumn('value', longText, (c) => c.notNull())
    .execute();
}
