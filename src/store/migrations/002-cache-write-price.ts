/** Prices get a cache-write rate (Anthropic bills writing to the prompt cache above the input price). */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('prices').addColumn('cache_write', 'double precision').execute();
}
