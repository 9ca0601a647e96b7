/**
 * A watchdog for the fuzz test: a request that holds the event loop (a quadratic loop, a catastrophic regex) would
 * hang the test run, since no timer can fire to fail it. A worker thread watches a heartbeat the main thread writes;
 * when it stops for `boundMs`, the worker prints the request in flight and kills the process, so the run fails at
 * once and names the culprit.
 */
import { Worker } from 'node:worker_threads';

const TEXT_BYTES = 4_096;

const WATCHER = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const beat = new Float64Array(workerData.shared, 0, 1);
const length = new Int32Array(workerData.shared, 8, 1);
const text = new Uint8Array(workerData.shared, 12);
setInterval(() => {
  const held = Date.now() - beat[0];
  if (held < workerData.boundMs) return;
  const request = Buffer.from(text.subarray(0, length[0])).toString('utf8');
  writeSync(2, '\\nfuzz watchdog: the event loop has been held for ' + held + ' ms, by: ' + request + '\\n');
  process.kill(process.pid, 'SIGKILL');
}, 250);
`;

export interface Watchdog {
  /** Names the request about to be sent, for the report if it holds the loop. */
  sending(description: string): void;
  stop(): Promise<void>;
}

export function startWatchdog(boundMs: number): Watchdog {
  const shared = new SharedArrayBuffer(12 + TEXT_BYTES);
  const beat = new Float64Array(shared, 0, 1);
  const length = new Int32Array(shared, 8, 1);
  const text = new Uint8Array(shared, 12);
  beat[0] = Date.now();
  const heartbeat = setInterval(() => {
    beat[0] = Date.now();
  }, 100);
  const worker = new Worker(WATCHER, { eval: true, workerData: { shared, boundMs } });
  worker.unref();
  return {
    sending(description) {
      const bytes = Buffer.from(description).subarray(0, TEXT_BYTES);
      text.set(bytes);
      length[0] = bytes.length;
    },
    async stop() {
      clearInterval(heartbeat);
      await worker.terminate();
    },
  };
}
