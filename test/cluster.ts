/**
 * Several `switchyard serve` processes on one database and one Redis, as behind a load balancer: for tests of what
 * must hold across instances (limits, quota, cooldowns, cache invalidation) and of an instance killed mid-load.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConfigInput } from '../src/config/schema.ts';
import { type Engine, openStore } from '../src/store/db.ts';
import { ROOT_PASSWORD, TEST_SECRET } from './harness.ts';
import { dropInstallation, REDIS_URL } from './shared-redis.ts';
import { createTestDatabase, type TestDatabase } from './stores.ts';

const BIN = new URL('../bin/switchyard.js', import.meta.url).pathname;

export interface Instance {
  url: string;
  child: ChildProcess;
  log(): string;
}

export interface Cluster {
  instances: Instance[];
  database: TestDatabase;
  /** SIGKILL: no shutdown, no flush. */
  kill(i: number): Promise<void>;
  stop(): Promise<void>;
}

async function startInstance(configFile: string, env: NodeJS.ProcessEnv): Promise<Instance> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', configFile, '--port', '0', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d;
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d;
  });
  for (let waited = 0; ; waited += 50) {
    const url = /listening on (http:\/\/[\d.:]+)/.exec(out)?.[1];
    if (url) return { url, child, log: () => out };
    if (child.exitCode !== null || waited > 20_000) {
      child.kill('SIGKILL');
      throw new Error(`instance did not start:\n${out}`);
    }
    await sleep(50);
  }
}

/** Starts `count` instances (the first alone, so that it migrates the fresh database) with this config. */
export async function startCluster(engine: Engine, count: number, config: ConfigInput): Promise<Cluster> {
  const database = await createTestDatabase(engine);
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-cluster-'));
  const configFile = join(dir, 'switchyard.json');
  writeFileSync(configFile, JSON.stringify(config));
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL,
    SWITCHYARD_SECRET: TEST_SECRET,
    SWITCHYARD_ADMIN_PASSWORD: ROOT_PASSWORD,
    SWITCHYARD_DATA_DIR: dir,
    LOG_LEVEL: 'info',
  };
  const first = await startInstance(configFile, env);
  const rest = await Promise.all(Array.from({ length: count - 1 }, () => startInstance(configFile, env)));
  const instances = [first, ...rest];
  return {
    instances,
    database,
    async kill(i) {
      const { child } = instances[i]!;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      await Promise.all(
        instances.map(async ({ child }) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = once(child, 'exit');
          child.kill('SIGTERM');
          await exited;
        }),
      );
      const store = await openStore(database.url);
      const row = await store.db
        .selectFrom('options')
        .select('value')
        .where('key', '=', 'install_id')
        .executeTakeFirst();
      await store.close();
      if (row) await dropInstallation(JSON.parse(row.value) as string);
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
