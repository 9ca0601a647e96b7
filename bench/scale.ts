// `npm run bench:scale`: max throughput of one Switchyard instance against three, all on one PostgreSQL database and
// one Redis (quota held and usage journaled in Redis, as a scaled-out deployment runs), with one embedded-SQLite
// instance without Redis for reference. The load generator spreads requests round-robin over the instances, as a
// load balancer would. Every process shares this machine's cores: the figures say what sharing state costs and
// what more processes buy on this hardware, not what more machines would.
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { stringify } from 'yaml';
import { createTestDatabase, type TestDatabase } from '../test/stores.ts';
import { type Child, CLIENT_CORE, cpuMs, freePort, start, stopAll } from './processes.ts';
import { CHAT_PATH, CLIENT_KEY, chatBody, FAST_MODEL, HOST, type LoadResult, type LoadSpec } from './shared.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const GATEWAY_BIN = here('../bin/switchyard.js');
const DIR = here('./results/scale');
const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 15);
const CONCURRENCY = 64;
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Setup {
  name: string;
  instances: number;
  database: 'postgres' | 'sqlite';
  redis: boolean;
}

const SETUPS: Setup[] = [
  { name: '1 instance, SQLite', instances: 1, database: 'sqlite', redis: false },
  { name: '1 instance, PostgreSQL', instances: 1, database: 'postgres', redis: false },
  { name: '1 instance, PostgreSQL + Redis', instances: 1, database: 'postgres', redis: true },
  { name: '3 instances, PostgreSQL + Redis', instances: 3, database: 'postgres', redis: true },
];

function config(upstreamPort: number): string {
  return stringify({
    // A metered key: every request holds quota and journals its usage log (in Redis when there is one).
    auth: { keys: [{ key: CLIENT_KEY, name: 'bench', quota_usd: 1_000_000 }] },
    log_level: 'info',
    providers: [
      {
        name: 'mock',
        type: 'openai',
        base_url: `http://${HOST}:${upstreamPort}/v1`,
        keys: ['sk-upstream'],
        models: [FAST_MODEL],
      },
    ],
    prices: { [FAST_MODEL]: { input: 1, output: 2 } },
  });
}

async function answers(url: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
        body: chatBody(FAST_MODEL, false),
      });
      await res.body.text();
      if (res.statusCode === 200) return true;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return false;
}

async function startInstance(configFile: string, env: NodeJS.ProcessEnv): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const child = start('switchyard', null, [GATEWAY_BIN, 'serve', '--config', configFile, '--port', String(port)], {
    env,
  });
  const url = `http://${HOST}:${port}${CHAT_PATH}`;
  if (!(await answers(url))) throw new Error(`switchyard did not answer:\n${child.output()}`);
  return { child, url };
}

function runLoad(load: Child, spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve) => {
    load.process.once('message', (result) => resolve(result as LoadResult));
    load.process.send(spec);
  });
}

interface Measured {
  load: LoadResult;
  /** CPU of every gateway process together, per answered request. */
  gatewayCpuUs: number;
}

async function measure(setup: Setup, upstreamPort: number, load: Child): Promise<Measured> {
  const dataDir = join(DIR, randomUUID());
  mkdirSync(dataDir, { recursive: true });
  const configFile = join(dataDir, 'switchyard.yaml');
  writeFileSync(configFile, config(upstreamPort));
  let database: TestDatabase | undefined;
  const env: NodeJS.ProcessEnv = { SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_SECRET: 'bench-secret-0123456789abcdef' };
  env['REDIS_URL'] = setup.redis ? REDIS_URL : '';
  env['DATABASE_URL'] = '';
  if (setup.database === 'postgres') {
    database = await createTestDatabase('postgres');
    env['DATABASE_URL'] = database.url;
  }
  const instances = [await startInstance(configFile, env)];
  for (let i = 1; i < setup.instances; i++) instances.push(await startInstance(configFile, env));
  await sleep(3_000); // shared quota counters are made once a new installation's Redis state has settled
  const urls = instances.map((i) => i.url);
  const spec = (ms: number): LoadSpec => ({
    url: urls[0]!,
    urls,
    body: chatBody(FAST_MODEL, false),
    stream: false,
    concurrency: CONCURRENCY,
    stop: { ms },
  });
  await runLoad(load, spec(3_000)); // warm-up
  const cpu = () => instances.reduce((sum, i) => sum + cpuMs(i.child.pid), 0);
  const cpuBefore = cpu();
  const result = await runLoad(load, spec(SECONDS * 1000));
  const gatewayCpuUs = ((cpu() - cpuBefore) * 1000) / Math.max(1, result.ok);
  await Promise.all(instances.map((i) => i.child.stop()));
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
  return { load: result, gatewayCpuUs };
}

async function main(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  const mock = start('mock upstream', CLIENT_CORE, [here('./mock-upstream.ts'), '--delay-ms', '50']);
  const { port } = (await mock.readyLine(10_000)) as { port: number };
  const load = start('load generator', CLIENT_CORE, [here('./load.ts')], { ipc: true });
  const rows: string[] = [];
  const results: Record<string, Measured> = {};
  try {
    for (const setup of SETUPS) {
      log(`measuring: ${setup.name}`);
      const measured = await measure(setup, port, load);
      results[setup.name] = measured;
      const r = measured.load;
      rows.push(
        `| ${setup.name} | ${r.rps.toFixed(0)} | ${measured.gatewayCpuUs.toFixed(0)} | ${r.latencyMs.p50.toFixed(2)} | ${r.latencyMs.p99.toFixed(2)} | ${r.errors} |`,
      );
    }
  } finally {
    await stopAll();
  }
  const base = results[SETUPS[2]!.name]!.load.rps;
  const three = results[SETUPS[3]!.name]!.load.rps;
  console.log(
    `\nSwitchyard scale bench: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ` +
      `${CONCURRENCY} connections, non-stream, ${SECONDS} s each\n`,
  );
  console.log('| setup | rps | gateway CPU µs / request | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|');
  console.log(rows.join('\n'));
  console.log(`\nthree instances / one (PostgreSQL + Redis): ${(three / base).toFixed(2)}×`);
  writeFileSync(join(here('./results'), 'scale.json'), `${JSON.stringify(results, null, 2)}\n`);
}

await main().catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
