/** Headers every relay response carries. */

export function responseHeaders(requestId: string): Record<string, string> {
  return { 'x-request-id': requestId, 'x-oneapi-request-id': requestId };
}
