/** Usage logs of calls a virtual model made (ensemble members, reasoning steps) name the client's request. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('usage_logs').addColumn('parent_request_id', 'varchar(64)').execute();
  await db.schema.createIndex('usage_logs_parent').on('usage_logs').column('parent_request_id').execute();
}
