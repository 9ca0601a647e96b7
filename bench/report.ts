// The bench's results: their shape, the performance bars Switchyard is held to, and the printed table.
import type { LoadResult } from './shared.ts';

export const TARGETS = ['direct', 'floor', 'switchyard'] as const;
export type TargetName = (typeof TARGETS)[number];

/** A load run with the CPU the measured process (and the mock upstream) spent on it. */
export interface Metered {
  load: LoadResult;
  cpuMsPerRequest: number;
  upstreamCpuMsPerRequest: number;
  /** Share of one core the measured process used during the run. */
  busy: number;
}

export interface TargetResult {
  /** Cores the measured process was allowed to run on. */
  cores: string;
  nonStream: Metered;
  stream: Metered;
  maxRps: Metered;
  firstByte: LoadResult;
  slowUpstream: LoadResult & { idealRps: number; percentOfIdeal: number };
  rssMb: number;
}

export type Outcome = TargetResult | { skipped: string };
export type Results = Record<TargetName, Outcome>;

export interface Bar {
  name: string;
  limit: string;
  measured: string;
  /** null when Switchyard (or the floor it is compared with) was not measured. */
  pass: boolean | null;
}

const NON_STREAM_CPU_RATIO = 1.5;
const STREAM_CPU_RATIO = 1.5;
const FIRST_BYTE_EXTRA_MS = 0.3;
const SLOW_UPSTREAM_PERCENT = 97;

function measured(outcome: Outcome): TargetResult | null {
  return 'skipped' in outcome ? null : outcome;
}

const fixed = (digits: number) => (x: number) => x.toFixed(digits);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const signedMs = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)} ms`;

export function bars(results: Results): Bar[] {
  const floor = measured(results.floor);
  const gateway = measured(results.switchyard);
  const both = floor && gateway ? { floor, gateway } : null;
  const cpuBar = (name: string, pick: (r: TargetResult) => Metered, limit: number): Bar => {
    if (!both) return { name, limit: `≤ ${limit}× floor`, measured: 'n/a', pass: null };
    const x = pick(both.gateway).cpuMsPerRequest / pick(both.floor).cpuMsPerRequest;
    return { name, limit: `≤ ${limit}× floor`, measured: `${x.toFixed(2)}×`, pass: x <= limit };
  };
  const extra = both ? both.gateway.firstByte.firstByteMs!.p50 - both.floor.firstByte.firstByteMs!.p50 : null;
  return [
    cpuBar('non-stream CPU', (r) => r.nonStream, NON_STREAM_CPU_RATIO),
    cpuBar('stream CPU', (r) => r.stream, STREAM_CPU_RATIO),
    {
      name: 'first byte',
      limit: `≤ floor + ${FIRST_BYTE_EXTRA_MS} ms`,
      measured: extra === null ? 'n/a' : signedMs(extra),
      pass: extra === null ? null : extra <= FIRST_BYTE_EXTRA_MS,
    },
    {
      name: '50 ms upstream',
      limit: `≥ ${SLOW_UPSTREAM_PERCENT}% of ideal rps`,
      measured: gateway ? `${gateway.slowUpstream.percentOfIdeal.toFixed(1)}%` : 'n/a',
      pass: gateway ? gateway.slowUpstream.percentOfIdeal >= SLOW_UPSTREAM_PERCENT : null,
    },
  ];
}

interface Row {
  label: string;
  cell: (r: TargetResult) => string;
  /** Switchyard against the floor. */
  compare?: (gateway: TargetResult, floor: TargetResult) => string;
  bar?: Bar;
}

const verdict = (bar: Bar | undefined) => (bar === undefined || bar.pass === null ? '' : bar.pass ? 'PASS' : 'FAIL');

export function table(results: Results, concurrency: { cpu: number; max: number }): string {
  const [nonStreamBar, streamBar, firstByteBar, slowBar] = bars(results);
  const cpu = fixed(4);
  const rows: Row[] = [
    {
      label: `1 CPU ms / non-stream request (c=${concurrency.cpu})`,
      cell: (r) => cpu(r.nonStream.cpuMsPerRequest),
      compare: (g, f) => ratio(g.nonStream.cpuMsPerRequest, f.nonStream.cpuMsPerRequest),
      ...(nonStreamBar ? { bar: nonStreamBar } : {}),
    },
    {
      label: `2 CPU ms / 50-chunk stream (c=${concurrency.cpu})`,
      cell: (r) => cpu(r.stream.cpuMsPerRequest),
      compare: (g, f) => ratio(g.stream.cpuMsPerRequest, f.stream.cpuMsPerRequest),
      ...(streamBar ? { bar: streamBar } : {}),
    },
    {
      label: `3 max rps, non-stream (c=${concurrency.max})`,
      cell: (r) => r.maxRps.load.rps.toFixed(0),
      compare: (g, f) => ratio(g.maxRps.load.rps, f.maxRps.load.rps),
    },
    {
      label: '  latency p50 / p99 ms',
      cell: (r) => `${r.maxRps.load.latencyMs.p50.toFixed(2)} / ${r.maxRps.load.latencyMs.p99.toFixed(2)}`,
    },
    { label: '  measured process busy', cell: (r) => `${(r.maxRps.busy * 100).toFixed(0)}%` },
    {
      label: '4 first byte p50 ms, stream (c=1)',
      cell: (r) => fixed(3)(r.firstByte.firstByteMs!.p50),
      compare: (g, f) => signedMs(g.firstByte.firstByteMs!.p50 - f.firstByte.firstByteMs!.p50),
      ...(firstByteBar ? { bar: firstByteBar } : {}),
    },
    {
      label: '5 rps, 50 ms upstream (c=64)',
      cell: (r) => `${r.slowUpstream.rps.toFixed(0)} (${r.slowUpstream.percentOfIdeal.toFixed(1)}%)`,
      compare: (g, f) => ratio(g.slowUpstream.rps, f.slowUpstream.rps),
      ...(slowBar ? { bar: slowBar } : {}),
    },
    { label: '6 RSS MB after the runs', cell: (r) => r.rssMb.toFixed(1), compare: (g, f) => ratio(g.rssMb, f.rssMb) },
    {
      label: '  errors (all runs)',
      cell: (r) =>
        String(
          [r.nonStream.load, r.stream.load, r.maxRps.load, r.firstByte, r.slowUpstream].reduce(
            (sum, run) => sum + run.errors,
            0,
          ),
        ),
    },
  ];

  const floor = measured(results.floor);
  const gateway = measured(results.switchyard);
  const header = ['', 'direct*', 'floor', 'switchyard', 'sw vs floor', 'bar', ''];
  const lines = rows.map((row) => [
    row.label,
    ...TARGETS.map((name) => {
      const r = measured(results[name]);
      return r ? row.cell(r) : 'skipped';
    }),
    row.compare && floor && gateway ? row.compare(gateway, floor) : '',
    row.bar?.limit ?? '',
    verdict(row.bar),
  ]);
  const all = [header, ...lines];
  const widths = header.map((_, col) => Math.max(...all.map((line) => (line[col] ?? '').length)));
  const render = (line: string[]) =>
    line
      .map((text, col) => (col === 0 || col >= 5 ? text.padEnd(widths[col] ?? 0) : text.padStart(widths[col] ?? 0)))
      .join('  ')
      .trimEnd();
  const notes = [
    "* direct: CPU, busy and RSS are the mock upstream's own; bars compare switchyard with the floor.",
    '5: % of the ideal rps (concurrency × 1000 / upstream delay); the direct column shows what this machine reaches.',
  ];
  for (const name of TARGETS) {
    const outcome = results[name];
    if ('skipped' in outcome) notes.push(`${name} skipped: ${outcome.skipped}`);
  }
  return [render(header), ...lines.map(render), '', ...notes].join('\n');
}
