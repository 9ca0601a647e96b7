/** Small helpers the provider converter tests share. */
import { GatewayError, UpstreamError } from '../src/core/errors.ts';
import type { ChatRequest } from '../src/core/types.ts';

/** The JSON body of a built upstream call. */
export const bodyOf = (call: { body?: string }): Record<string, unknown> => JSON.parse(call.body ?? '{}');

/** A minimal non-stream chat request, with `extra` on top. */
export function chatRequest(extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'model', messages: [{ role: 'user', content: 'hi' }], stream: false, includeUsage: false, ...extra };
}

/** Runs `fn` and returns the gateway error it threw. */
export function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a throw');
}

/** Awaits `promise` and returns the upstream error it was rejected with. */
export async function rejection(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof UpstreamError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}
