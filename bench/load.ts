// The bench's load generator: runs the LoadSpec it gets over IPC against one URL and answers with a LoadResult.
import { Pool } from 'undici';
import { CLIENT_KEY, type LoadResult, type LoadSpec, type Spread } from './shared.ts';

const DONE = '[DONE]';

function spread(samples: number[]): Spread {
  if (samples.length === 0) return { p50: 0, p99: 0, mean: 0 };
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), mean: sorted.reduce((sum, x) => sum + x, 0) / sorted.length };
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const targets = (spec.urls ?? [spec.url]).map((u) => {
    const url = new URL(u);
    const pool = new Pool(url.origin, { connections: spec.concurrency, keepAliveTimeout: 60_000 });
    return { pool, path: url.pathname + url.search };
  });
  let turn = 0;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` };
  const latencies: number[] = [];
  const firstBytes: number[] = [];
  let started = 0;
  let errors = 0;
  let errorSample: string | null = null;
  const fail = (reason: string) => {
    errors++;
    errorSample ??= reason;
  };

  const begin = performance.now();
  const { stop } = spec;
  const more =
    'requests' in stop
      ? () => started < stop.requests
      : (
          (deadline) => () =>
            performance.now() < deadline
        )(begin + stop.ms);

  async function once(): Promise<void> {
    const sent = performance.now();
    const { pool, path } = targets[turn++ % targets.length]!;
    const { statusCode, body } = await pool.request({ method: 'POST', path, headers, body: spec.body });
    if (statusCode !== 200) return fail(`HTTP ${statusCode}: ${(await body.text()).slice(0, 300)}`);
    if (!spec.stream) {
      await body.text();
      latencies.push(performance.now() - sent);
      return;
    }
    let first = 0;
    let tail: Buffer = Buffer.alloc(0);
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (first === 0) first = performance.now();
      tail = chunk.length >= 32 ? chunk : Buffer.concat([tail, chunk]);
    }
    if (!tail.subarray(-32).includes(DONE)) return fail(`stream ended without ${DONE}`);
    latencies.push(performance.now() - sent);
    firstBytes.push(first - sent);
  }

  async function worker(): Promise<void> {
    while (more()) {
      started++;
      await once().catch((err: unknown) => fail(String(err)));
    }
  }

  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const elapsedMs = performance.now() - begin;
  await Promise.all(targets.map((t) => t.pool.close()));
  return {
    ok: latencies.length,
    errors,
    errorSample,
    elapsedMs,
    rps: (latencies.length * 1000) / elapsedMs,
    latencyMs: spread(latencies),
    firstByteMs: spec.stream ? spread(firstBytes) : null,
  };
}

if (process.send) {
  const send = process.send.bind(process);
  // Trusted: the only sender is bench/run.ts, which types what it sends as LoadSpec.
  process.on('message', (spec: LoadSpec) => void runLoad(spec).then(send));
  process.on('disconnect', () => process.exit(0));
}
