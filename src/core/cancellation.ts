/** A request's cancellation (the client went away): a lighter stand-in for AbortController on the hot path. */
import type { GatewayError } from './errors.ts';

export class Cancellation {
  aborted = false;
  /** Why the gateway itself ended the request (shutting down), to answer with; undefined when the client left. */
  reason: GatewayError | undefined;
  private listeners: (() => void)[] | undefined;

  /** Calls `listener` once on abort (soon, if already aborted); returns the function that unsubscribes it. */
  onAbort(listener: () => void): () => void {
    if (this.aborted) {
      queueMicrotask(listener);
      return () => {};
    }
    if (this.listeners) this.listeners.push(listener);
    else this.listeners = [listener];
    return () => {
      const i = this.listeners?.indexOf(listener) ?? -1;
      if (i !== -1) this.listeners!.splice(i, 1);
    };
  }

  abort(reason?: GatewayError): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }
}
