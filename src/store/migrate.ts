/** Applies the schema's migrations in order (serve does at start; `switchyard migrate` on its own). */
import { type Kysely, type Migration, type MigrationResultSet, Migrator } from 'kysely';
import type { Engine, Store } from './db.ts';
import * as initial from './migrations/001-initial.ts';
import * as cacheWritePrice from './migrations/002-cache-write-price.ts';
import * as conversations from './migrations/003-conversations.ts';
import * as parentRequest from './migrations/004-parent-request.ts';
import * as mustChangePassword from './migrations/005-must-change-password.ts';
import * as channelDurations from './migrations/006-channel-durations.ts';

interface EngineMigration {
  up(db: Kysely<unknown>, engine: Engine): Promise<void>;
}

const MIGRATIONS: Record<string, EngineMigration> = {
  '001-initial': initial,
  '002-cache-write-price': cacheWritePrice,
  '003-conversations': conversations,
  '004-parent-request': parentRequest,
  '005-must-change-password': mustChangePassword,
  '006-channel-durations': channelDurations,
};

export async function migrate(store: Store): Promise<string[]> {
  const migrations: Record<string, Migration> = {};
  for (const [name, m] of Object.entries(MIGRATIONS)) migrations[name] = { up: (db) => m.up(db, store.engine) };
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'switchyard_migrations',
    migrationLockTableName: 'switchyard_migrations_lock',
  });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
