/** Reads a page of an upstream's model list with the schema of its API: another shape is an upstream error. */
import type { ZodType } from 'zod';
import { UpstreamError } from '../core/errors.ts';

export function modelPage<T>(schema: ZodType<T>, body: string): T {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new UpstreamError('Upstream answered its model list with a body that is not JSON.', { retryable: false });
  }
  const page = schema.safeParse(json);
  if (!page.success) {
    throw new UpstreamError('Upstream answered its model list in a shape its API does not document.', {
      retryable: false,
    });
  }
  return page.data;
}
