// `npm run soak`: steady mixed traffic against a real `switchyard serve` for SOAK_MINUTES (or --minutes), printing
// the gateway's memory and open handles every minute; fails when they grew between warm-up's end and the last minute.
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool, request } from 'undici';
import { stringify } from 'yaml';
import { type Child, freePort, rssMb, start, stopAll } from './processes.ts';
import { HOST } from './shared.ts';
import { ADMIN_PASSWORD, CLIENT_KEY, type Outcome, schedule, TRAFFIC, type TrafficContext } from './soak-traffic.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const SOAK_DIR = here('./results/soak');
const GATEWAY_BIN = here('../bin/switchyard.js');

const { values } = parseArgs({ options: { minutes: { type: 'string' } } });
const minutes = Number(values.minutes ?? process.env.SOAK_MINUTES ?? 10);
/** Requests started per second, whatever the answers' pace: a steady moderate load, not a throughput test. */
const rps = Number(process.env.SOAK_RPS ?? 40);
/** The first minutes (at most 2, at most half the run) are warm-up: caches, pools, JIT and the heap settle. */
const warmupMs = Math.min(2, minutes / 2) * 60_000;
/** Growth allowed from the minute after warm-up to the last minute. */
const RSS_TOLERANCE = Number(process.env.SOAK_RSS_TOLERANCE ?? 0.1);
const RSS_TOLERANCE_FLOOR_MB = 16;
const FD_TOLERANCE = Number(process.env.SOAK_FD_TOLERANCE ?? 16);
const SAMPLE_EVERY_MS = 5_000;
/**
 * V8 sizes its young generation by the allocation rate: at a flat 40 requests/s the gateway's new space went between
 * 8 and 128 MB committed within a minute, moving RSS by ~120 MB with nothing retained. A fixed size (in MB; 0 leaves
 * V8 to choose) makes RSS growth mean memory kept: old space, large objects, native memory.
 */
const SEMI_SPACE_MB = Number(process.env.SOAK_SEMI_SPACE_MB ?? 16);
/** Requests in flight at most; more would mean the gateway fell behind, counted as `dropped`. */
const MAX_IN_FLIGHT = 500;
/** Client connections to the gateway at most: requests beyond them wait in the client's queue. */
const CONNECTIONS = 64;

if (!(minutes > 0) || !(rps > 0)) throw new Error('SOAK_MINUTES / --minutes and SOAK_RPS must be positive numbers');

const log = (line: string) => process.stdout.write(`${line}\n`);

interface Sample {
  atMs: number;
  rssMb: number;
  /** The anonymous part of RSS (heap, buffers, native allocations), without mapped files. */
  anonMb: number;
  heapMb: number | null;
  /** The heap V8 holds from the system (used or not). */
  heapTotalMb: number | null;
  fds: number;
  sockets: number;
}

/** Counts of one stretch of the run: outcomes by kind of error, unexpected ones with a few examples. */
class Tally {
  done = 0;
  ok = 0;
  dropped = 0;
  readonly expected = new Map<string, number>();
  readonly unexpected = new Map<string, number>();
  readonly examples: string[] = [];
  /** Milliseconds per answered request (only those of a minute's tally are kept). */
  readonly latencies: number[] = [];

  add(kind: string, outcome: Outcome, ms?: number): void {
    this.done++;
    if (ms !== undefined && outcome.ok) this.latencies.push(ms);
    if (outcome.ok) this.ok++;
    else if ('expected' in outcome) bump(this.expected, outcome.expected);
    else {
      bump(this.unexpected, kind);
      if (this.examples.length < 5) this.examples.push(`${kind}: ${outcome.unexpected}`);
    }
  }

  get unexpectedCount(): number {
    return [...this.unexpected.values()].reduce((sum, n) => sum + n, 0);
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function gatewayConfig(upstreamPort: number, port: number): string {
  const base = (mode: string) => `http://${HOST}:${upstreamPort}/${mode}`;
  const openai = (name: string, mode: string, models: string[], extra: Record<string, unknown> = {}) => ({
    name,
    type: 'openai',
    base_url: `${base(mode)}/v1`,
    keys: ['sk-upstream'],
    models,
    ...extra,
  });
  return stringify({
    server: { port, host: HOST },
    auth: { keys: [CLIENT_KEY] },
    log_level: 'info', // the default: one access-log line per request
    routing: { strategy: 'priority', retries: 2, cooldown_on_429: '1s' },
    providers: [
      openai('ok', 'ok', ['soak-chat', 'soak-failover'], { embedding_models: ['soak-embed'], priority: 1 }),
      { name: 'claude', type: 'anthropic', base_url: base('ok'), keys: ['sk-upstream'], models: ['soak-claude'] },
      openai('failing', 'e500', ['soak-failover', 'soak-500'], { priority: 0 }),
      openai('limited', 'e429', ['soak-429']),
      openai('cutting', 'cut', ['soak-cut']),
      openai('slow', 'slow', ['soak-slow']),
    ],
  });
}

/** Open file descriptors of the process and how many of them are sockets. */
function handles(pid: number): { fds: number; sockets: number } {
  let fds = 0;
  let sockets = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    fds++;
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets++;
    } catch {
      // Closed between listing and reading.
    }
  }
  return { fds, sockets };
}

/** The gateway's heap (used, and held), from its own /metrics when it exports Node's default metrics. */
async function heap(origin: string): Promise<{ heapMb: number | null; heapTotalMb: number | null }> {
  const gauge = (text: string, name: string): number | null => {
    const line = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text);
    return line ? Number(line[1]) / 2 ** 20 : null;
  };
  try {
    const res = await request(`${origin}/metrics`, { signal: AbortSignal.timeout(2_000) });
    const text = await res.body.text();
    return {
      heapMb: gauge(text, 'nodejs_heap_size_used_bytes'),
      heapTotalMb: gauge(text, 'nodejs_heap_size_total_bytes'),
    };
  } catch {
    return { heapMb: null, heapTotalMb: null };
  }
}

/** A field of /proc/<pid>/status in kB, as MB. */
function statusMb(pid: number, field: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'latin1')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return (Number.parseInt(line?.slice(field.length + 1) ?? '0', 10) || 0) / 1024;
}

async function sample(pid: number, origin: string, atMs: number): Promise<Sample> {
  return { atMs, rssMb: rssMb(pid), anonMb: statusMb(pid, 'RssAnon'), ...(await heap(origin)), ...handles(pid) };
}

async function waitUntilServing(gateway: Child, origin: string): Promise<void> {
  const deadline = performance.now() + 20_000;
  while (performance.now() < deadline) {
    if (gateway.process.exitCode !== null) break;
    try {
      const res = await request(`${origin}/readyz`);
      await res.body.dump();
      if (res.statusCode === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`switchyard did not become ready; its output:\n${gateway.output()}`);
}

async function login(origin: string): Promise<string> {
  const res = await request(`${origin}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'root', password: ADMIN_PASSWORD }),
  });
  await res.body.dump();
  const cookie = [res.headers['set-cookie']].flat()[0];
  if (res.statusCode !== 200 || !cookie) throw new Error(`admin login failed: HTTP ${res.statusCode}`);
  return cookie.split(';')[0]!;
}

function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
const median = (xs: number[]) => quantile(xs, 0.5);
const mb = (x: number | null) => (x === null ? 'n/a' : x.toFixed(1));

function errorsByKind(tally: Tally): string {
  const parts = [...tally.expected].map(([what, n]) => `${what}: ${n}`);
  if (tally.unexpected.size) parts.push(`UNEXPECTED ${[...tally.unexpected].map(([k, n]) => `${k}: ${n}`).join(', ')}`);
  if (tally.dropped) parts.push(`DROPPED (gateway behind): ${tally.dropped}`);
  return parts.join('; ');
}

function row(minute: number, s: Sample, tally: Tally, total: number): string {
  return [
    String(minute).padStart(3),
    mb(s.rssMb).padStart(7),
    mb(s.anonMb).padStart(7),
    `${mb(s.heapMb)}/${mb(s.heapTotalMb)}`.padStart(11),
    String(s.fds).padStart(5),
    String(s.sockets).padStart(7),
    String(tally.done).padStart(6),
    String(total).padStart(7),
    tally.latencies.length ? String(Math.round(quantile(tally.latencies, 0.99))).padStart(7) : '      -',
    `  ${errorsByKind(tally)}`,
  ].join(' ');
}

async function main(): Promise<number> {
  rmSync(SOAK_DIR, { recursive: true, force: true });
  await mkdir(SOAK_DIR, { recursive: true });
  const upstream = start('soak upstream', null, [here('./soak-upstream.ts')]);
  const { port: upstreamPort } = (await upstream.readyLine(10_000)) as { port: number };
  const port = await freePort();
  const config = join(SOAK_DIR, 'switchyard.soak.yaml');
  await writeFile(config, gatewayConfig(upstreamPort, port));
  const youngGeneration =
    SEMI_SPACE_MB > 0 ? [`--min-semi-space-size=${SEMI_SPACE_MB}`, `--max-semi-space-size=${SEMI_SPACE_MB}`] : [];
  const gateway = start('switchyard', null, [...youngGeneration, GATEWAY_BIN, 'serve', '--config', config], {
    env: {
      SWITCHYARD_DATA_DIR: join(SOAK_DIR, 'data'),
      SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      DATABASE_URL: '',
      SQL_DSN: '',
      REDIS_URL: '',
    },
  });
  const origin = `http://${HOST}:${port}`;
  await waitUntilServing(gateway, origin);

  // Connections idle for 4 s close (undici's default), so the gateway's socket count follows the load, not its peaks.
  const pool = new Pool(origin, { connections: CONNECTIONS });
  const ctx: TrafficContext = { pool, cookie: await login(origin) };
  const order = schedule(TRAFFIC);
  const durationMs = minutes * 60_000;
  log(
    `switchyard soak: ${minutes} min at ${rps} requests/s (${TRAFFIC.map((k) => `${k.name} ×${k.weight}`).join(', ')}); ` +
      `gateway pid ${gateway.pid}, warm-up ${warmupMs / 60_000} min, ` +
      `young generation ${SEMI_SPACE_MB > 0 ? `fixed at ${SEMI_SPACE_MB} MB semi-spaces` : "V8's own sizing"}`,
  );
  log('min  rss MB anon MB  heap MB u/t   fds sockets  reqs   total  p99 ms  errors by kind (this minute)');

  const begin = performance.now();
  const samples: Sample[] = [await sample(gateway.pid, origin, 0)];
  const whole = new Tally();
  let minute = new Tally();
  log(row(0, samples[0]!, minute, 0));
  let inFlight = 0;
  let sent = 0;

  const fire = (n: number): void => {
    const kind = order[n % order.length]!;
    if (inFlight >= MAX_IN_FLIGHT) {
      whole.dropped++;
      minute.dropped++;
      return;
    }
    inFlight++;
    const sentAt = performance.now();
    void kind
      .run(ctx, n)
      .catch((err: unknown): Outcome => ({ ok: false, unexpected: `client error: ${String(err)}` }))
      .then((outcome) => {
        inFlight--;
        whole.add(kind.name, outcome);
        minute.add(kind.name, outcome, performance.now() - sentAt);
      });
  };

  let nextMinute = 1;
  let nextSample = SAMPLE_EVERY_MS;
  let died = false;
  gateway.process.once('exit', () => {
    died = true;
  });
  // Open loop: request n starts at n/rps seconds, however long earlier answers take.
  while (!died) {
    const elapsed = performance.now() - begin;
    if (elapsed >= durationMs) break;
    const due = Math.floor((elapsed / 1000) * rps);
    while (sent <= due) fire(sent++);
    if (elapsed >= nextSample) {
      const s = await sample(gateway.pid, origin, elapsed);
      samples.push(s);
      nextSample += SAMPLE_EVERY_MS;
      if (elapsed >= nextMinute * 60_000) {
        log(row(nextMinute, s, minute, whole.done));
        minute = new Tally();
        nextMinute++;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, 1000 / rps / 2)));
  }
  while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  const diedDuringSoak = died;
  if (!died && nextMinute <= Math.ceil(minutes)) {
    log(row(nextMinute, await sample(gateway.pid, origin, performance.now() - begin), minute, whole.done));
  }
  await pool.close();

  // Graceful shutdown under the soak's leftovers: SIGTERM must end the process cleanly.
  const exited = new Promise<number | null>((resolve) => {
    if (gateway.process.exitCode !== null) resolve(gateway.process.exitCode);
    else gateway.process.once('exit', (code) => resolve(code));
  });
  if (!diedDuringSoak) process.kill(gateway.pid, 'SIGTERM');
  const exitCode = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(r, 35_000, 'hung'))]);
  await stopAll();

  return verdict(samples, whole, diedDuringSoak, exitCode, durationMs, gateway);
}

function verdict(
  samples: Sample[],
  whole: Tally,
  died: boolean,
  exitCode: number | null | 'hung',
  durationMs: number,
  gateway: Child,
): number {
  const windowMs = Math.min(60_000, (durationMs - warmupMs) / 2);
  const within = (from: number, to: number) => samples.filter((s) => s.atMs >= from && s.atMs <= to);
  const base = within(warmupMs, warmupMs + windowMs);
  const last = within(durationMs - windowMs, Number.POSITIVE_INFINITY);
  const problems: string[] = [];
  log('');
  log(`requests: ${whole.done} (${whole.ok} answered as asked); ${errorsByKind(whole) || 'no errors'}`);
  for (const example of whole.examples) log(`  unexpected: ${example}`);
  if (died) problems.push(`the gateway died during the soak:\n${gateway.output()}`);
  if (whole.unexpectedCount) problems.push(`${whole.unexpectedCount} requests got an answer they should not have`);
  if (whole.dropped) problems.push(`${whole.dropped} requests not sent: ${MAX_IN_FLIGHT} were still in flight`);
  if (exitCode !== 0)
    problems.push(`SIGTERM after the soak: ${exitCode === 'hung' ? 'did not exit' : `exit ${exitCode}`}`);
  if (base.length && last.length) {
    const figures = (xs: Sample[]) => ({
      rss: median(xs.map((s) => s.rssMb)),
      fds: median(xs.map((s) => s.fds)),
      heap: xs.some((s) => s.heapMb === null) ? null : median(xs.map((s) => s.heapMb!)),
    });
    const a = figures(base);
    const b = figures(last);
    const rssAllowed = Math.max(a.rss * RSS_TOLERANCE, RSS_TOLERANCE_FLOOR_MB);
    log(
      `after warm-up (median of ${base.length} samples) -> last minute (median of ${last.length}): ` +
        `RSS ${mb(a.rss)} -> ${mb(b.rss)} MB (allowed +${mb(rssAllowed)}), ` +
        `heap ${mb(a.heap)} -> ${mb(b.heap)} MB, open fds ${a.fds} -> ${b.fds} (allowed +${FD_TOLERANCE})`,
    );
    if (b.rss - a.rss > rssAllowed) problems.push(`RSS grew by ${mb(b.rss - a.rss)} MB`);
    if (b.fds - a.fds > FD_TOLERANCE) problems.push(`open file descriptors grew by ${b.fds - a.fds}`);
  } else problems.push('the run was too short to compare after warm-up with the last minute');
  log(problems.length ? `FAIL\n- ${problems.join('\n- ')}` : 'PASS: no growth after warm-up, no unexpected answers');
  return problems.length ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`\n${signal}: stopping the soak's processes`);
    void stopAll().finally(() => process.exit(130));
  });
}

try {
  process.exitCode = await main();
} catch (err) {
  await stopAll();
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
}
