import { runLoad } from './load.ts';
import { CLIENT_CORE, cpuMs, PROXY_CORE, pinSelf, start, stopAll } from './processes.ts';
import { chatBody } from './shared.ts';
pinSelf();
const mock = start('mock', CLIENT_CORE, ['bench/mock-upstream.ts']);
const { slowPort } = (await mock.readyLine(5000)) as { slowPort: number };
const floor = start('floor', PROXY_CORE, ['bench/floor-proxy.ts', '--upstream', `http://127.0.0.1:${slowPort}`]);
const { ports } = (await floor.readyLine(5000)) as { ports: number[] };
const load = start('load', CLIENT_CORE, ['bench/load.ts'], { ipc: true });
const run = (url: string, c: number) => new Promise<any>((resolve) => { load.process.once('message', resolve); load.process.send({ url, body: chatBody('x', false), stream: false, concurrency: c, stop: { ms: 4000 } }); });
for (const [name, port] of [['direct', slowPort], ['floor', ports[0]], ['direct', slowPort], ['floor', ports[0]]] as const) {
  for (const c of [1, 64]) {
    const b = cpuMs(floor.pid);
    const r = await run(`http://127.0.0.1:${port}/v1/chat/completions`, c);
    console.log(name, c, r.rps.toFixed(0), r.latencyMs.p50.toFixed(2), r.latencyMs.p99.toFixed(2), r.latencyMs.mean.toFixed(2), 'floor cpu', (cpuMs(floor.pid) - b).toFixed(0));
  }
}
await stopAll();
