/** Server-side conversations (`conversation_id`): one row per conversation, one per stored message. */
import { type ColumnDataType, type Kysely, sql } from 'kysely';
import type { Engine } from '../db.ts';
import { withId } from './001-initial.ts';

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const longText: ColumnDataType = engine === 'mysql' ? (sql`mediumtext` as unknown as ColumnDataType) : 'text';
  const name = 'varchar(191)';
  await db.schema
    .createTable('conversations')
    .addColumn('owner', name, (c) => c.notNull())
    .addColumn('conversation_id', name, (c) => c.notNull())
    .addColumn('model', name, (c) => c.notNull())
    .addColumn('messages', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversations_pk', ['owner', 'conversation_id'])
    .execute();
  await withId(db.schema.createTable('conversation_messages'), engine)
    .addColumn('owner', name, (c) => c.notNull())
    .addColumn('conversation_id', name, (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('message', longText, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('conversation_messages_seq')
    .on('conversation_messages')
    .columns(['owner', 'conversation_id', 'seq'])
    .unique()
    .execute();
}
