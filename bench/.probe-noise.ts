import { runLoad } from './load.ts';
import { CLIENT_CORE, cpuMs, PROXY_CORE, pinSelf, start, stopAll } from './processes.ts';
import { chatBody } from './shared.ts';

pinSelf();
const mock = start('mock', CLIENT_CORE, ['bench/mock-upstream.ts']);
const { port } = (await mock.readyLine(5000)) as { port: number };
const floor = start('floor', PROXY_CORE, ['bench/floor-proxy.ts', '--upstream', `http://127.0.0.1:${port}`]);
const { ports } = (await floor.readyLine(5000)) as { ports: number[] };
const url = `http://127.0.0.1:${ports[0]}/v1/chat/completions`;
for (const [c, n, stream] of Array.from({ length: 14 }, () => [32, 5000, false]).concat([
  [32, 2000, true],
  [32, 2000, true],
  [32, 2000, true],
  [32, 2000, true],
]) as const) {
  const before = cpuMs(floor.pid);
  const r = await runLoad({
    url,
    body: chatBody('bench-model', stream),
    stream,
    concurrency: c,
    stop: { requests: n },
  });
  const spent = cpuMs(floor.pid) - before;
  console.log(
    `c=${c} n=${n} stream=${stream} rps=${r.rps.toFixed(0)} cpu/req=${(spent / n).toFixed(4)} busy=${((spent / r.elapsedMs) * 100).toFixed(0)}%`,
  );
}
await stopAll();
