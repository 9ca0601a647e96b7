// `npm run bench`: the same requests sent straight to a mock upstream, through a bare undici proxy and through Switchyard.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { stringify } from 'yaml';
import { type Load, measure, plan, TARGETS, type Target, type TargetName } from './measure.ts';
import { type Child, CLIENT_CORE, freePort, PROXY_CORE, pinningOff, pinSelf, start, stopAll } from './processes.ts';
import { bars, type Results, table } from './report.ts';
import {
  CHAT_PATH,
  CLIENT_KEY,
  CROSS_MODEL,
  chatBody,
  FAST_MODEL,
  HOST,
  type LoadResult,
  SLOW_MODEL,
} from './shared.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const ROOT = here('..');
const GATEWAY_BIN = join(ROOT, 'bin', 'switchyard.js');
const RESULTS_DIR = here('./results');
const RESULTS_FILE = join(RESULTS_DIR, 'latest.json');
/** Kept after the run (results/ is gitignored) so the gateway can be started by hand with the same config. */
const GATEWAY_CONFIG = join(RESULTS_DIR, 'switchyard.bench.yaml');
const LOCK_FILE = join(RESULTS_DIR, 'bench.pid');
/** The gateway's data directory (its SQLite database of tokens and usage logs): fresh for each run. */
const GATEWAY_DATA = join(RESULTS_DIR, 'data');

const only = process.env['BENCH_TARGETS']?.split(',');

interface Upstream {
  mock: Child;
  port: number;
  slowPort: number;
}

const chatUrl = (port: number) => `http://${HOST}:${port}${CHAT_PATH}`;
const log = (line: string) => process.stderr.write(`${line}\n`);

function startLoad(): Load {
  const child = start('load generator', CLIENT_CORE, [here('./load.ts')], { ipc: true });
  return (spec) =>
    new Promise((resolve, reject) => {
      const onExit = () => reject(new Error(`load generator exited:\n${child.output()}`));
      child.process.once('exit', onExit);
      child.process.once('message', (result) => {
        child.process.off('exit', onExit);
        resolve(result as LoadResult);
      });
      child.process.send(spec);
    });
}

async function startUpstream(): Promise<Upstream> {
  const mock = start('mock upstream', CLIENT_CORE, [
    here('./mock-upstream.ts'),
    '--delay-ms',
    String(plan.slowUpstreamMs),
  ]);
  const { port, slowPort } = (await mock.readyLine(10_000)) as { port: number; slowPort: number };
  return { mock, port, slowPort };
}

async function startFloor(upstream: Upstream): Promise<Target> {
  const origins = [upstream.port, upstream.slowPort].map((port) => `http://${HOST}:${port}`);
  const floor = start('floor proxy', PROXY_CORE, [
    here('./floor-proxy.ts'),
    ...origins.flatMap((o) => ['--upstream', o]),
  ]);
  const { ports } = (await floor.readyLine(10_000)) as { ports: [number, number] };
  return { name: 'floor', url: chatUrl(ports[0]), slowUrl: chatUrl(ports[1]), pid: floor.pid };
}

function gatewayConfig(upstream: Upstream): string {
  const limits = { rpm: 100_000_000, concurrency: 100_000 };
  const provider = (name: string, port: number, model: string, type = 'openai') => ({
    name,
    type,
    base_url: type === 'openai' ? `http://${HOST}:${port}/v1` : `http://${HOST}:${port}`,
    keys: ['sk-upstream'],
    models: [model],
    limits: { ...limits },
  });
  return stringify({
    server: { port: 0, host: HOST },
    auth: { keys: [CLIENT_KEY] },
    log_level: 'info', // the default: one access-log line per request, as users run it
    routing: { strategy: 'random', retries: 2 },
    providers: [
      provider('mock', upstream.port, FAST_MODEL),
      provider('mock-slow', upstream.slowPort, SLOW_MODEL),
      provider('mock-anthropic', upstream.port, CROSS_MODEL, 'anthropic'),
    ],
  });
}

/** Polls with a real chat request until the gateway answers 200, it exits, or time runs out. */
async function answers(child: Child, url: string, timeoutMs: number): Promise<string | null> {
  const deadline = performance.now() + timeoutMs;
  let last = 'no answer';
  while (performance.now() < deadline) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) return 'it exited';
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
        body: chatBody(FAST_MODEL, false),
      });
      const text = await res.body.text();
      if (res.statusCode === 200) return null;
      last = `HTTP ${res.statusCode}: ${text.slice(0, 300)}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return last;
}

async function startGateway(upstream: Upstream): Promise<Target | string> {
  if (!existsSync(GATEWAY_BIN)) return `${GATEWAY_BIN} does not exist yet`;
  await writeFile(GATEWAY_CONFIG, gatewayConfig(upstream));
  rmSync(GATEWAY_DATA, { recursive: true, force: true });
  process.env['SWITCHYARD_DATA_DIR'] = GATEWAY_DATA;
  const port = await freePort();
  const gateway = start('switchyard', PROXY_CORE, [
    GATEWAY_BIN,
    'serve',
    '--config',
    GATEWAY_CONFIG,
    '--port',
    String(port),
  ]);
  const problem = await answers(gateway, chatUrl(port), 20_000);
  if (problem !== null) {
    await gateway.stop();
    return `\`switchyard serve\` did not answer (${problem}); its output:\n${gateway.output().trim() || '(none)'}`;
  }
  return { name: 'switchyard', url: chatUrl(port), slowUrl: chatUrl(port), pid: gateway.pid };
}

function commit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** Two benches at once would measure each other (and share the files above), so a second one refuses to start. */
async function lock(): Promise<boolean> {
  try {
    await writeFile(LOCK_FILE, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const holder = Number.parseInt(await readFile(LOCK_FILE, 'utf8'), 10);
    if (holder > 0 && existsSync(`/proc/${holder}`)) {
      log(`another bench is running (pid ${holder}); wait for it: two at once measure each other`);
      return false;
    }
    await writeFile(LOCK_FILE, String(process.pid)); // left by a bench that was killed
  }
  process.once('exit', () => rmSync(LOCK_FILE, { force: true }));
  return true;
}

async function main(): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) throw new Error(`Node ${process.version}: the bench needs Node 24 (run it with \`npm run bench\`)`);
  if (pinningOff) log(`WARNING: not pinning processes to cores (${pinningOff}); numbers will be noisier.`);
  pinSelf();
  await mkdir(RESULTS_DIR, { recursive: true });
  if (!(await lock())) {
    process.exitCode = 1;
    return;
  }
  const results = {} as Results;
  const started = performance.now();
  try {
    const upstream = await startUpstream();
    const load = startLoad();
    const open: Record<TargetName, () => Promise<Target | string>> = {
      direct: async () => ({
        name: 'direct',
        url: chatUrl(upstream.port),
        slowUrl: chatUrl(upstream.slowPort),
        pid: upstream.mock.pid,
      }),
      floor: () => startFloor(upstream),
      switchyard: () => startGateway(upstream),
    };
    // All targets run side by side; only the one under load does any work.
    const targets: Target[] = [];
    for (const name of TARGETS) {
      const target = only && !only.includes(name) ? 'not in BENCH_TARGETS' : await open[name]();
      if (typeof target === 'string') {
        log(`${name} skipped: ${target}`);
        results[name] = { skipped: target };
      } else targets.push(target);
    }
    for (const [name, result] of await measure(targets, load, upstream.mock.pid)) results[name] = result;
  } finally {
    await stopAll();
  }

  const seconds = (performance.now() - started) / 1000;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const pinning = pinningOff
    ? `unpinned (${pinningOff})`
    : `proxy alone on core ${PROXY_CORE}, mock upstream and load generator on core ${CLIENT_CORE}`;
  console.log(
    `\nSwitchyard bench${plan.quick ? ' (BENCH_QUICK)' : ''}: Node ${process.version}, ${cpu}, ${pinning}, ${seconds.toFixed(0)} s\n`,
  );
  console.log(table(results));
  const report = {
    date: new Date().toISOString(),
    commit: commit(),
    node: process.version,
    cpu,
    pinning,
    plan,
    seconds,
    bars: bars(results),
    targets: results,
    /** The config the gateway ran with, so a number can be traced to its settings (log level, limits). */
    switchyardConfig: 'skipped' in results.switchyard ? null : await readFile(GATEWAY_CONFIG, 'utf8'),
  };
  await writeFile(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nresults: ${RESULTS_FILE}`);
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    log(`\n${signal}: stopping the bench's processes`);
    void stopAll().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (err) {
  // Once interrupted, the runs in flight fail as their processes go: that is not news.
  if (!interrupted) log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
}
