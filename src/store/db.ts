/** Opens the gateway's database (SQLite by default, PostgreSQL or MySQL/MariaDB by URL) behind one Kysely instance. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import {
  type Insertable,
  Kysely,
  MysqlDialect,
  PostgresDialect,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteStatement,
} from 'kysely';
import type { Database } from './schema.ts';

export type Engine = 'sqlite' | 'postgres' | 'mysql';

export interface Store {
  db: Kysely<Database>;
  engine: Engine;
  close(): Promise<void>;
}

/** node:sqlite takes no booleans: they are stored as 0/1 like every other engine here does. */
function bindable(value: unknown): SQLInputValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value as SQLInputValue;
}

/** Prepared statements kept per SQL text: Kysely prepares every query it runs, and most repeat. */
const STATEMENT_CACHE_SIZE = 256;

/** node:sqlite's DatabaseSync in the shape Kysely's SQLite dialect drives (better-sqlite3's). */
function nodeSqlite(file: string, readOnly: boolean): SqliteDatabase {
  const database = new DatabaseSync(file, { readOnly });
  database.exec('PRAGMA busy_timeout = 5000;');
  if (!readOnly) database.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
  const statements = new Map<string, StatementSync>();
  const prepared = (sql: string): StatementSync => {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      statement = database.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      const statement = prepared(sql);
      const args = (parameters: ReadonlyArray<unknown>): SQLInputValue[] => parameters.map(bindable);
      return {
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...args(parameters)),
        run: (parameters) => {
          const { changes, lastInsertRowid } = statement.run(...args(parameters));
          return { changes, lastInsertRowid };
        },
        iterate: (parameters) => statement.iterate(...args(parameters)),
      };
    },
  };
}

/**
 * Where the database lives: `DATABASE_URL` (or one-api's `SQL_DSN`), the config's `database`, else
 * `<data dir>/switchyard.db`. one-api's MySQL DSN form (`user:pw@tcp(host:3306)/db`) is accepted too.
 */
export function databaseUrl(configured: string | undefined, dataDir: string): string {
  return configured ?? `sqlite:${resolve(dataDir, 'switchyard.db')}`;
}

/** one-api's Go MySQL DSN (`user:pass@tcp(host:port)/db?params`) as a mysql:// URL. */
function goMysqlDsn(dsn: string): string | undefined {
  const match = /^([^:@/]*)(?::([^@]*))?@tcp\(([^)]+)\)\/([^?]*)(?:\?.*)?$/.exec(dsn);
  if (!match) return undefined;
  const [, user, password, host, database] = match;
  const auth =
    password === undefined ? encodeURIComponent(user!) : `${encodeURIComponent(user!)}:${encodeURIComponent(password)}`;
  return `mysql://${auth}@${host}/${database}`;
}

export function engineOf(url: string): Engine {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  if (/^(mysql|mariadb):\/\//i.test(url) || goMysqlDsn(url)) return 'mysql';
  if (/^sqlite:/i.test(url) || !url.includes('://')) return 'sqlite';
  throw new Error(
    `database: unsupported URL scheme in '${url.split('://')[0]}://…' (use sqlite:, postgres:// or mysql://)`,
  );
}

/** The SQLite file a `sqlite:` URL (or a bare path) names; `:memory:` stays in memory. */
function sqliteFile(url: string, readOnly: boolean): string {
  const path = url.replace(/^sqlite:(\/\/)?/i, '');
  if (path === ':memory:' || path === '') return ':memory:';
  if (!readOnly) mkdirSync(dirname(resolve(path)), { recursive: true });
  return path;
}

/**
 * Opens the database; `readOnly` (SQLite) leaves a file that is only read, such as an import's source, untouched.
 * The PostgreSQL and MySQL drivers are loaded only when used (about 26 MB of memory an SQLite gateway does not need).
 */
export async function openStore(url: string, { readOnly = false }: { readOnly?: boolean } = {}): Promise<Store> {
  const engine = engineOf(url);
  let db: Kysely<Database>;
  if (engine === 'sqlite') {
    const database = nodeSqlite(sqliteFile(url, readOnly), readOnly);
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  } else if (engine === 'postgres') {
    const { default: pg } = await import('pg');
    // PostgreSQL sends BIGINT (int8) and NUMERIC (sums) as strings; every amount here fits a double exactly.
    pg.types.setTypeParser(20, (v) => Number(v));
    pg.types.setTypeParser(1700, (v) => Number(v));
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    const { createPool } = await import('mysql2');
    const pool = createPool({
      uri: (goMysqlDsn(url) ?? url).replace(/^mariadb:/i, 'mysql:'),
      connectionLimit: 10,
      supportBigNumbers: true,
      decimalNumbers: true,
      // DECIMAL/BIGINT sums come back as numbers; amounts stay below 2^53.
      bigNumberStrings: false,
      timezone: 'Z',
    });
    db = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
  }
  return { db, engine, close: () => db.destroy() };
}

type TableWithId = { [T in keyof Database]: Database[T] extends { id: unknown } ? T : never }[keyof Database];

/** Inserts one row and returns its new id: PostgreSQL needs `RETURNING`, MySQL and SQLite report the insert id. */
export async function insertWithId<T extends TableWithId>(
  store: Store,
  table: T,
  values: Insertable<Database[T]>,
): Promise<number> {
  // Kysely cannot type a query over a table chosen at run time; the values' type is checked by the signature above.
  const query = store.db.insertInto(table).values(values as never);
  if (store.engine === 'postgres') {
    const row = await query.returning('id' as never).executeTakeFirstOrThrow();
    return Number((row as { id: unknown }).id);
  }
  const result = await query.executeTakeFirstOrThrow();
  return Number(result.insertId);
}
