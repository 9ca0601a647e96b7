/** `switchyard migrate` and `switchyard import one-api`: the database commands, on the database serve would use. */
import type { LoadedConfig } from '../config/loader.ts';
import { databaseUrl, openStore, type Store } from '../store/db.ts';
import { importOneApi } from '../store/import/one-api.ts';
import { migrate } from '../store/migrate.ts';
import { loadSecret } from '../store/secret.ts';

interface Output {
  out(line: string): void;
  err(line: string): void;
}

function dataDir(env: NodeJS.ProcessEnv): string {
  return env.SWITCHYARD_DATA_DIR || './data';
}

/** A database URL with any password masked, for messages. */
function shown(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@').replace(/^([^:/@]+):[^@/]*@tcp/, '$1:***@tcp');
}

async function withTarget<T>(
  loaded: LoadedConfig,
  env: NodeJS.ProcessEnv,
  run: (store: Store, url: string) => Promise<T>,
) {
  const url = databaseUrl(env.DATABASE_URL || env.SQL_DSN || loaded.config.database, dataDir(env));
  const store = await openStore(url);
  try {
    return await run(store, url);
  } finally {
    await store.close();
  }
}

function failure(io: Output, what: string, err: unknown, ...urls: string[]): number {
  let message = err instanceof Error ? err.message : String(err);
  for (const url of urls) message = message.split(url).join(shown(url));
  io.err(`switchyard: ${what} failed: ${message}`);
  return 1;
}

export async function migrateCommand(loaded: LoadedConfig, env: NodeJS.ProcessEnv, io: Output): Promise<number> {
  try {
    return await withTarget(loaded, env, async (store, url) => {
      const applied = await migrate(store);
      io.out(
        applied.length
          ? `${shown(url)} (${store.engine}): applied ${applied.join(', ')}`
          : `${shown(url)} (${store.engine}): up to date`,
      );
      return 0;
    });
  } catch (err) {
    return failure(io, 'migrate', err);
  }
}

export async function importCommand(
  loaded: LoadedConfig,
  env: NodeJS.ProcessEnv,
  io: Output,
  { dsn, dryRun }: { dsn: string; dryRun: boolean },
): Promise<number> {
  let source: Store | undefined;
  try {
    source = await openStore(dsn, { readOnly: true });
    const from = source;
    return await withTarget(loaded, env, async (target, url) => {
      await migrate(target);
      const { secret } = loadSecret(env, dataDir(env));
      const report = await importOneApi(from, target, secret, { dryRun });
      io.out(`${dryRun ? 'would import' : 'imported'} from ${shown(dsn)} into ${shown(url)}:`);
      for (const kind of Object.keys(report.created) as (keyof typeof report.created)[]) {
        io.out(`  ${kind}: ${report.created[kind]} created, ${report.skipped[kind]} already there or skipped`);
      }
      for (const note of report.notes) io.out(`  skipped ${note}`);
      return 0;
    });
  } catch (err) {
    return failure(io, 'import', err, dsn);
  } finally {
    await source?.close();
  }
}
