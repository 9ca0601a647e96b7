/** Status lines as a virtual model works: streamed as reasoning text while the work runs, then its result. */
import type { StreamEvent } from '../core/types.ts';

/**
 * Runs `work`, yielding each line it says as a reasoning event as soon as it is said; returns what the work returns
 * (or throws what it throws) once every line went out.
 */
export async function* progress<T>(work: (say: (line: string) => void) => Promise<T>): AsyncGenerator<StreamEvent, T> {
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  let settled = false;
  const running = work((line) => {
    lines.push(line);
    wake?.();
  }).finally(() => {
    settled = true;
    wake?.();
  });
  // Kept from being reported unhandled while lines are still going out; rethrown by the `await` below.
  running.catch(() => {});
  for (;;) {
    while (lines.length) yield { type: 'reasoning', text: lines.shift()! };
    if (settled) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
  }
  return await running;
}
