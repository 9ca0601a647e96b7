/**
 * Fresh databases for store tests on every engine, for real: a temporary SQLite file, and a new database on the
 * local PostgreSQL and MariaDB servers (TEST_POSTGRES_URL, TEST_MYSQL_URL), dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import { type Engine, openStore, type Store } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';

export const ENGINES: readonly Engine[] = ['sqlite', 'postgres', 'mysql'];

const POSTGRES = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MYSQL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** An empty database on the engine, with its URL. */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  const name = `sw_test_${randomBytes(5).toString('hex')}`;
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-db-'));
    return { url: `sqlite:${join(dir, 'test.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (engine === 'postgres') {
    const admin = new pg.Client({ connectionString: POSTGRES });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(POSTGRES);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      drop: async () => {
        const c = new pg.Client({ connectionString: POSTGRES });
        await c.connect();
        // A closed pool's connections may take a moment to go: forcing them out makes their clients raise errors.
        for (let attempt = 0; ; attempt++) {
          try {
            await c.query(`DROP DATABASE IF EXISTS ${name}${attempt < 40 ? '' : ' WITH (FORCE)'}`);
            break;
          } catch (err) {
            if (attempt >= 40) throw err;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
        await c.end();
      },
    };
  }
  const admin = await createConnection({ uri: MYSQL });
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = new URL(MYSQL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = await createConnection({ uri: MYSQL });
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
      await c.end();
    },
  };
}

/** A migrated, empty store on the engine; `dispose` closes it and drops its database. */
export async function freshStore(engine: Engine): Promise<Store & { url: string; dispose(): Promise<void> }> {
  const database = await createTestDatabase(engine);
  const store = await openStore(database.url);
  await migrate(store);
  return {
    ...store,
    url: database.url,
    dispose: async () => {
      await store.close();
      await database.drop();
    },
  };
}
