// The performance bars Switchyard is held to, and the table the bench prints.
import { plan, type Sampled, TARGETS, type TargetName, type TargetResult } from './measure.ts';

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
/** An OpenAI client served by an Anthropic upstream, against the same stream in one format (issue 3). */
const CROSS_FORMAT_CPU_RATIO = 2;

function measured(outcome: Outcome): TargetResult | null {
  return 'skipped' in outcome ? null : outcome;
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const signedMs = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)} ms`;
/** The median, and half the range of the rounds around it when there were several. */
const spread = (s: Sampled, digits: number) => {
  const half = s.median > 0 ? ((s.max - s.min) / 2 / s.median) * 100 : 0;
  return plan.rounds > 1 ? `${s.median.toFixed(digits)} ±${half.toFixed(0)}%` : s.median.toFixed(digits);
};

export function bars(results: Results): Bar[] {
  const floor = measured(results.floor);
  const gateway = measured(results.switchyard);
  const both = floor && gateway ? { floor, gateway } : null;
  const cpuBar = (name: string, kind: 'nonStream' | 'stream', limit: number): Bar => {
    if (!both) return { name, limit: `≤ ${limit}× floor`, measured: 'n/a', pass: null };
    const x = both.gateway.cpuMsPerRequest[kind].median / both.floor.cpuMsPerRequest[kind].median;
    return { name, limit: `≤ ${limit}× floor`, measured: `${x.toFixed(2)}×`, pass: x <= limit };
  };
  const extra = both ? both.gateway.firstByteP50Ms.median - both.floor.firstByteP50Ms.median : null;
  const cross = gateway?.cpuMsPerRequest.crossStream;
  const crossX = gateway && cross ? cross.median / gateway.cpuMsPerRequest.stream.median : null;
  return [
    cpuBar('non-stream CPU', 'nonStream', NON_STREAM_CPU_RATIO),
    cpuBar('stream CPU', 'stream', STREAM_CPU_RATIO),
    {
      name: 'first byte',
      limit: `≤ floor + ${FIRST_BYTE_EXTRA_MS} ms`,
      measured: extra === null ? 'n/a' : signedMs(extra),
      pass: extra === null ? null : extra <= FIRST_BYTE_EXTRA_MS,
    },
    {
      name: `${plan.slowUpstreamMs} ms upstream`,
      limit: `≥ ${SLOW_UPSTREAM_PERCENT}% of ideal`,
      measured: gateway ? `${gateway.slowUpstream.percentOfIdeal.toFixed(1)}%` : 'n/a',
      pass: gateway ? gateway.slowUpstream.percentOfIdeal >= SLOW_UPSTREAM_PERCENT : null,
    },
    {
      name: 'cross-format stream CPU',
      limit: `≤ ${CROSS_FORMAT_CPU_RATIO}× same-format`,
      measured: crossX === null ? 'n/a' : `${crossX.toFixed(2)}×`,
      pass: crossX === null ? null : crossX <= CROSS_FORMAT_CPU_RATIO,
    },
  ];
}

interface Row {
  label: string;
  cell: (r: TargetResult) => string;
  /** Switchyard against the floor. */
  compare?: (gateway: TargetResult, floor: TargetResult) => string;
  bar?: Bar | undefined;
}

const verdict = (bar: Bar | undefined) => (bar === undefined || bar.pass === null ? '' : bar.pass ? 'PASS' : 'FAIL');

function rows(results: Results): Row[] {
  const [nonStreamBar, streamBar, firstByteBar, slowBar, crossBar] = bars(results);
  const slow = plan.slowUpstreamMs;
  return [
    {
      label: `1 CPU ms / non-stream request (c=${plan.cpuConcurrency})`,
      cell: (r) => spread(r.cpuMsPerRequest.nonStream, 4),
      compare: (g, f) => ratio(g.cpuMsPerRequest.nonStream.median, f.cpuMsPerRequest.nonStream.median),
      bar: nonStreamBar,
    },
    {
      label: `2 CPU ms / 50-chunk stream (c=${plan.cpuConcurrency})`,
      cell: (r) => spread(r.cpuMsPerRequest.stream, 4),
      compare: (g, f) => ratio(g.cpuMsPerRequest.stream.median, f.cpuMsPerRequest.stream.median),
      bar: streamBar,
    },
    {
      label: '  the same, OpenAI client -> Anthropic upstream',
      cell: (r) => (r.cpuMsPerRequest.crossStream ? spread(r.cpuMsPerRequest.crossStream, 4) : '-'),
      compare: (g) =>
        g.cpuMsPerRequest.crossStream
          ? `${ratio(g.cpuMsPerRequest.crossStream.median, g.cpuMsPerRequest.stream.median)} same-format`
          : '',
      bar: crossBar,
    },
    {
      label: `3 max rps, non-stream (c=${plan.maxConcurrency})`,
      cell: (r) => spread(r.maxRps.rps, 0),
      compare: (g, f) => ratio(g.maxRps.rps.median, f.maxRps.rps.median),
    },
    { label: '  latency p50 / p99 ms', cell: (r) => `${r.maxRps.p50Ms.toFixed(2)} / ${r.maxRps.p99Ms.toFixed(2)}` },
    { label: '  measured process busy', cell: (r) => `${(r.maxRps.busy * 100).toFixed(0)}%` },
    {
      label: '4 first byte p50 ms, stream (c=1)',
      cell: (r) => spread(r.firstByteP50Ms, 3),
      compare: (g, f) => signedMs(g.firstByteP50Ms.median - f.firstByteP50Ms.median),
      bar: firstByteBar,
    },
    {
      label: `5 rps, ${slow} ms upstream (c=${plan.slowConcurrency})`,
      cell: (r) => `${r.slowUpstream.rps.toFixed(0)} (${r.slowUpstream.percentOfIdeal.toFixed(1)}%)`,
      compare: (g, f) => ratio(g.slowUpstream.rps, f.slowUpstream.rps),
      bar: slowBar,
    },
    {
      label: '  latency p50 / p99 ms',
      cell: (r) => `${r.slowUpstream.p50Ms.toFixed(2)} / ${r.slowUpstream.p99Ms.toFixed(2)}`,
    },
    { label: '6 RSS MB after the runs', cell: (r) => r.rssMb.toFixed(1), compare: (g, f) => ratio(g.rssMb, f.rssMb) },
    { label: '  errors (all runs)', cell: (r) => String(r.errors) },
  ];
}

export function table(results: Results): string {
  const floor = measured(results.floor);
  const gateway = measured(results.switchyard);
  const header = ['', 'direct*', 'floor', 'switchyard', 'sw vs floor', 'bar', ''];
  const lines = rows(results).map((row) => [
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
    plan.rounds > 1
      ? `1-4: median of ${plan.rounds} rounds (targets taking turns), ± half the range between rounds.`
      : '',
    `5: % of the ideal ${(plan.slowConcurrency * 1000) / plan.slowUpstreamMs} rps; the direct column is what this machine reaches.`,
  ].filter(Boolean);
  for (const name of TARGETS) {
    const outcome = results[name];
    if ('skipped' in outcome) notes.push(`${name} skipped: ${outcome.skipped}`);
  }
  return [render(header), ...lines.map(render), '', ...notes].join('\n');
}
