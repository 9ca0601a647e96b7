/** OpenAI's error object: `{"error":{"message","type","param","code"}}`, for responses and for stream error events. */
import type { GatewayError } from '../../core/errors.ts';

const TYPES: Record<GatewayError['kind'], string> = {
  invalid_request: 'invalid_request_error',
  unauthorized: 'invalid_request_error',
  forbidden: 'invalid_request_error',
  not_found: 'invalid_request_error',
  payload_too_large: 'invalid_request_error',
  unsupported_media_type: 'invalid_request_error',
  quota_exceeded: 'insufficient_quota',
  rate_limited: 'rate_limit_error',
  upstream: 'upstream_error',
  timeout: 'upstream_error',
  unavailable: 'server_error',
  internal: 'server_error',
};

export function encodeError(err: GatewayError): { status: number; body: string } {
  return {
    status: err.status,
    body: JSON.stringify({ error: { message: err.message, type: TYPES[err.kind], param: err.param, code: err.code } }),
  };
}
