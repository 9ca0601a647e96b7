// The bench's measurements: warm-up, rounds that take turns between the targets run by run, then the slow-upstream run.
import { allowedCores, cpuMs, rssMb } from './processes.ts';
import { CROSS_MODEL, chatBody, FAST_MODEL, type LoadResult, type LoadSpec, SLOW_MODEL } from './shared.ts';

export const TARGETS = ['direct', 'floor', 'switchyard'] as const;
export type TargetName = (typeof TARGETS)[number];

export interface Target {
  name: TargetName;
  url: string;
  slowUrl: string;
  /** The process whose CPU and memory are measured. */
  pid: number;
}

export type Load = (spec: LoadSpec) => Promise<LoadResult>;

const QUICK = process.env['BENCH_QUICK'] === '1';
export const plan = {
  quick: QUICK,
  /** Each measured run is repeated this many times per target, the targets taking turns; medians are reported. */
  rounds: QUICK ? 2 : 3,
  cpuConcurrency: 32,
  maxConcurrency: 64,
  slowConcurrency: 64,
  slowUpstreamMs: 50,
  warmup: QUICK ? 300 : 10_000,
  warmupStream: QUICK ? 100 : 2_000,
  cpuRequests: QUICK ? 1_000 : 10_000,
  streamRequests: QUICK ? 300 : 3_000,
  maxRpsRequests: QUICK ? 1_000 : 10_000,
  firstByteRequests: QUICK ? 30 : 200,
  slowMs: QUICK ? 2_000 : 10_000,
};

/** A load run with the CPU the measured process (and the mock upstream) spent on it. */
export interface Metered {
  load: LoadResult;
  cpuMsPerRequest: number;
  upstreamCpuMsPerRequest: number;
  /** Share of one core the measured process used during the run. */
  busy: number;
}

export interface Sampled {
  median: number;
  min: number;
  max: number;
}

export interface TargetResult {
  /** Cores the measured process was allowed to run on. */
  cores: string;
  cpuMsPerRequest: {
    nonStream: Sampled;
    stream: Sampled;
    /** Switchyard only: the same stream with an OpenAI client and an Anthropic upstream (converted both ways). */
    crossStream?: Sampled;
  };
  maxRps: { rps: Sampled; p50Ms: number; p99Ms: number; busy: number };
  firstByteP50Ms: Sampled;
  slowUpstream: { rps: number; idealRps: number; percentOfIdeal: number; p50Ms: number; p99Ms: number };
  rssMb: number;
  errors: number;
  /** Every run, for a closer look. */
  runs: {
    nonStream: Metered[];
    stream: Metered[];
    crossStream: Metered[];
    maxRps: Metered[];
    firstByte: LoadResult[];
    slowUpstream: LoadResult;
  };
}

type Runs = Omit<TargetResult['runs'], 'slowUpstream'>;

const log = (line: string) => process.stderr.write(`${line}\n`);

function sampled(values: number[]): Sampled {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
}

const medianOf = (values: number[]) => sampled(values).median;

export function describe(r: LoadResult): string {
  const first = r.firstByteMs ? `, first byte p50 ${r.firstByteMs.p50.toFixed(3)} ms` : '';
  const errors = r.errors ? `, ${r.errors} ERRORS (first: ${r.errorSample})` : '';
  const latency = `p50 ${r.latencyMs.p50.toFixed(2)} / p99 ${r.latencyMs.p99.toFixed(2)} ms`;
  return `${r.ok} ok in ${(r.elapsedMs / 1000).toFixed(2)} s = ${r.rps.toFixed(0)} rps, ${latency}${first}${errors}`;
}

export async function measure(targets: Target[], load: Load, mockPid: number): Promise<Map<TargetName, TargetResult>> {
  const run = (
    target: Target,
    stream: boolean,
    concurrency: number,
    stop: LoadSpec['stop'],
    slow = false,
    model = slow ? SLOW_MODEL : FAST_MODEL,
  ) =>
    load({
      url: slow ? target.slowUrl : target.url,
      body: chatBody(model, stream),
      stream,
      concurrency,
      stop,
    });
  const described = async (target: Target, what: string, loadRun: Promise<LoadResult>) => {
    const result = await loadRun;
    log(`${target.name.padEnd(10)} ${what}: ${describe(result)}`);
    return result;
  };
  const metered = async (
    target: Target,
    what: string,
    stream: boolean,
    concurrency: number,
    requests: number,
    model = FAST_MODEL,
  ) => {
    const before = [cpuMs(target.pid), cpuMs(mockPid)] as const;
    const result = await run(target, stream, concurrency, { requests }, false, model);
    const spent = cpuMs(target.pid) - before[0];
    const count = Math.max(1, result.ok + result.errors);
    const m: Metered = {
      load: result,
      cpuMsPerRequest: spent / count,
      upstreamCpuMsPerRequest: (cpuMs(mockPid) - before[1]) / count,
      busy: spent / result.elapsedMs,
    };
    log(`${target.name.padEnd(10)} ${what}: ${describe(result)}, ${m.cpuMsPerRequest.toFixed(4)} CPU ms/request`);
    return m;
  };

  for (const target of targets) {
    await described(target, 'warm-up', run(target, false, plan.cpuConcurrency, { requests: plan.warmup }));
    await described(target, 'warm-up stream', run(target, true, plan.cpuConcurrency, { requests: plan.warmupStream }));
    if (target.name === 'switchyard') {
      const spec = { requests: plan.warmupStream };
      await described(target, 'warm-up cross', run(target, true, plan.cpuConcurrency, spec, false, CROSS_MODEL));
    }
  }

  const runs = new Map<TargetName, Runs>(
    targets.map((t) => [t.name, { nonStream: [], stream: [], crossStream: [], maxRps: [], firstByte: [] }]),
  );
  const kinds: ((target: Target, into: Runs) => Promise<unknown>)[] = [
    async (t, into) =>
      into.nonStream.push(await metered(t, 'non-stream', false, plan.cpuConcurrency, plan.cpuRequests)),
    async (t, into) => into.stream.push(await metered(t, 'stream', true, plan.cpuConcurrency, plan.streamRequests)),
    // Only Switchyard converts formats: the direct mock and the floor proxy have no Anthropic-to-OpenAI road.
    async (t, into) => {
      if (t.name !== 'switchyard') return;
      const cross = await metered(
        t,
        'cross-format stream',
        true,
        plan.cpuConcurrency,
        plan.streamRequests,
        CROSS_MODEL,
      );
      into.crossStream.push(cross);
    },
    async (t, into) => into.maxRps.push(await metered(t, 'max rps', false, plan.maxConcurrency, plan.maxRpsRequests)),
    async (t, into) =>
      into.firstByte.push(await described(t, 'first byte', run(t, true, 1, { requests: plan.firstByteRequests }))),
  ];
  for (let round = 0; round < plan.rounds; round++) {
    log(`round ${round + 1} of ${plan.rounds}`);
    // Each round starts with a different target, so none always runs right after another.
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    for (const kind of kinds) for (const target of order) await kind(target, runs.get(target.name)!);
  }

  const results = new Map<TargetName, TargetResult>();
  const idealRps = (plan.slowConcurrency * 1000) / plan.slowUpstreamMs;
  for (const target of targets) {
    const slow = await described(
      target,
      `${plan.slowUpstreamMs} ms upstream`,
      run(target, false, plan.slowConcurrency, { ms: plan.slowMs }, true),
    );
    const r = runs.get(target.name)!;
    const all = [...r.nonStream, ...r.stream, ...r.crossStream, ...r.maxRps]
      .map((m) => m.load)
      .concat(r.firstByte, slow);
    results.set(target.name, {
      cores: allowedCores(target.pid),
      cpuMsPerRequest: {
        nonStream: sampled(r.nonStream.map((m) => m.cpuMsPerRequest)),
        stream: sampled(r.stream.map((m) => m.cpuMsPerRequest)),
        ...(r.crossStream.length ? { crossStream: sampled(r.crossStream.map((m) => m.cpuMsPerRequest)) } : {}),
      },
      maxRps: {
        rps: sampled(r.maxRps.map((m) => m.load.rps)),
        p50Ms: medianOf(r.maxRps.map((m) => m.load.latencyMs.p50)),
        p99Ms: medianOf(r.maxRps.map((m) => m.load.latencyMs.p99)),
        busy: medianOf(r.maxRps.map((m) => m.busy)),
      },
      firstByteP50Ms: sampled(r.firstByte.map((l) => l.firstByteMs?.p50 ?? 0)),
      slowUpstream: {
        rps: slow.rps,
        idealRps,
        percentOfIdeal: (slow.rps / idealRps) * 100,
        p50Ms: slow.latencyMs.p50,
        p99Ms: slow.latencyMs.p99,
      },
      rssMb: rssMb(target.pid),
      errors: all.reduce((sum, l) => sum + l.errors, 0),
      runs: { ...r, slowUpstream: slow },
    });
  }
  return results;
}
