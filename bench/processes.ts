// Starting, pinning and stopping the bench's child processes, and reading their CPU time and memory from /proc.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { HOST } from './shared.ts';

/** Mock upstream, load generator and orchestrator share this core... */
export const CLIENT_CORE = 0;
/** ...so the proxy under test has this one to itself. */
export const PROXY_CORE = 1;

function commandWorks(file: string, args: string[]): boolean {
  try {
    execFileSync(file, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** setpriv (util-linux) can have the kernel kill a child when the bench dies, even by SIGKILL. */
const deathSignal = commandWorks('setpriv', ['--version']) ? ['setpriv', '--pdeathsig', 'KILL'] : [];

/** Why pinning is off, or null when it is on. */
export const pinningOff: string | null = !commandWorks('taskset', ['-V'])
  ? 'taskset (util-linux) not found'
  : availableParallelism() < 2
    ? `only ${availableParallelism()} core available`
    : null;

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}
const TICKS_PER_SECOND = clockTicks();

/** Pins this process (all its threads) to the client core, so the orchestrator never wakes up on the proxy's. */
export function pinSelf(): void {
  if (pinningOff === null) execFileSync('taskset', ['-a', '-p', '-c', String(CLIENT_CORE), String(process.pid)]);
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** The last few KB the child wrote to stdout and stderr. */
  output(): string;
  /** The first line the child prints that parses as a JSON object. */
  readyLine(timeoutMs: number): Promise<unknown>;
  stop(): Promise<void>;
}

const running = new Set<Child>();
const OUTPUT_TAIL = 8192;

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we wanted.
  }
}

/**
 * Starts `node <args>` (the running Node binary) pinned to `core` (null: on any core), in its own process group,
 * dying with the bench. `env` is added to the bench's own environment.
 */
export function start(
  name: string,
  core: number | null,
  args: string[],
  options: { ipc?: boolean; env?: NodeJS.ProcessEnv } = {},
): Child {
  const pin = pinningOff === null && core !== null ? ['taskset', '-c', String(core)] : [];
  const [file = process.execPath, ...prefix] = [...deathSignal, ...pin, process.execPath];
  const proc = spawn(file, [...prefix, ...args], {
    detached: true,
    env: { ...process.env, ...options.env },
    stdio: options.ipc ? ['pipe', 'pipe', 'pipe', 'ipc'] : ['pipe', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  const pid = proc.pid;
  let tail = '';
  const keep = (data: Buffer) => {
    tail = (tail + data.toString()).slice(-OUTPUT_TAIL);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = once(proc, 'exit');

  const child: Child = {
    name,
    pid,
    process: proc,
    output: () => tail,
    readyLine: (timeoutMs) =>
      new Promise((resolve, reject) => {
        let buffered = '';
        const timer = setTimeout(() => done(new Error(`${name} not ready after ${timeoutMs} ms:\n${tail}`)), timeoutMs);
        const onData = (data: Buffer) => {
          buffered += data.toString();
          for (const line of buffered.split('\n')) {
            if (!line.startsWith('{')) continue;
            try {
              return done(null, JSON.parse(line));
            } catch {
              // A partial line: wait for the rest.
            }
          }
        };
        const onExit = () => done(new Error(`${name} exited before it was ready:\n${tail}`));
        const done = (err: Error | null, value?: unknown) => {
          clearTimeout(timer);
          proc.stdout?.off('data', onData);
          proc.off('exit', onExit);
          if (err) reject(err);
          else resolve(value);
        };
        proc.stdout?.on('data', onData);
        proc.once('exit', onExit);
      }),
    stop: async () => {
      running.delete(child);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(child);
  return child;
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/** A port free on the loopback interface right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function readProc(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null; // the process ended between listing and reading
  }
}

/** The fields of /proc/<pid>/stat after the command name; index 0 is field 3 (state). */
function statFields(pid: number): string[] | null {
  const stat = readProc(`/proc/${pid}/stat`);
  return stat === null ? null : stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** `root` and every live descendant, so a gateway that forks workers is measured whole. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = Number(statFields(pid)?.[1]);
    const siblings = children.get(parent);
    if (siblings) siblings.push(pid);
    else children.set(parent, [pid]);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] ?? -1) ?? []));
  return tree;
}

/** User + system CPU time of the process tree, in ms (resolution: one clock tick, usually 10 ms). */
export function cpuMs(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    const fields = statFields(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

function statusField(pid: number, field: string): string | null {
  const status = readProc(`/proc/${pid}/status`);
  const line = status?.split('\n').find((l) => l.startsWith(`${field}:`));
  return line ? line.slice(field.length + 1).trim() : null;
}

/** Resident memory of the process tree, in MB. */
export function rssMb(root: number): number {
  const kb = processTree(root).reduce(
    (sum, pid) => sum + (Number.parseInt(statusField(pid, 'VmRSS') ?? '0', 10) || 0),
    0,
  );
  return kb / 1024;
}

/** The cores the process may run on, as the kernel lists them ("1", "0-1"). */
export function allowedCores(pid: number): string {
  return statusField(pid, 'Cpus_allowed_list') ?? '?';
}
