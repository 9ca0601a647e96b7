/** Encodes canonical event streams and errors as Gemini's: SSE chunks of GenerateContentResponse, `{"error":{…}}`. */
import { asGatewayError, type GatewayError } from '../../core/errors.ts';
import type { FinishReason, StreamEvent, Usage } from '../../core/types.ts';
import { finishToWire, functionCallPart, usageToWire } from './answer.ts';
import type { GeminiPart } from './wire.ts';

/** google.rpc status names by HTTP status, as Google's APIs pair them. */
const STATUS_BY_HTTP: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const STATUS_BY_KIND: Partial<Record<GatewayError['kind'], string>> = {
  invalid_request: 'INVALID_ARGUMENT',
  unauthorized: 'UNAUTHENTICATED',
  forbidden: 'PERMISSION_DENIED',
  not_found: 'NOT_FOUND',
  quota_exceeded: 'RESOURCE_EXHAUSTED',
  rate_limited: 'RESOURCE_EXHAUSTED',
  payload_too_large: 'INVALID_ARGUMENT',
  unsupported_media_type: 'INVALID_ARGUMENT',
  timeout: 'DEADLINE_EXCEEDED',
  unavailable: 'UNAVAILABLE',
  internal: 'INTERNAL',
};

function errorJson(err: GatewayError): string {
  const status =
    STATUS_BY_KIND[err.kind] ?? STATUS_BY_HTTP[err.status] ?? (err.status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
  return JSON.stringify({ error: { code: err.status, message: err.message, status } });
}

export function encodeError(err: GatewayError): { status: number; body: string } {
  return { status: err.status, body: errorJson(err) };
}

/** Google ends each SSE event with CRLF CRLF. */
const END = '\r\n\r\n';

export function streamError(err: unknown): string {
  return `data: ${errorJson(asGatewayError(err))}${END}`;
}

interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Canonical events -> Gemini stream chunks, as Google sends them: text and thoughts as they come, function calls whole
 * (parallel ones together in one chunk), and a last chunk with the finish reason and usageMetadata. A signature waits
 * for the part after it (the call or text it belongs to), or rides on the last chunk.
 */
export async function* encodeStream(
  events: AsyncIterable<StreamEvent>,
  ids: { model: string; responseId: string },
): AsyncIterable<string> {
  const tail = `,"modelVersion":${JSON.stringify(ids.model)},"responseId":${JSON.stringify(ids.responseId)}}${END}`;
  const candidate = (parts: GeminiPart[], finish = ''): string =>
    `data: {"candidates":[{"content":{"parts":${JSON.stringify(parts)},"role":"model"}${finish},"index":0}]`;
  let signature: string | undefined;
  const sign = (part: GeminiPart): GeminiPart => {
    if (signature !== undefined) part.thoughtSignature = signature;
    signature = undefined;
    return part;
  };
  const calls = new Map<number, PendingCall>();
  const flushCalls = (): string => {
    const parts = [...calls.values()].map(functionCallPart);
    calls.clear();
    sign(parts[0]!);
    return candidate(parts) + tail;
  };
  let finish: FinishReason = 'stop';
  let usage: Usage | undefined;
  try {
    for await (const event of events) {
      if (calls.size && (event.type === 'text' || event.type === 'reasoning' || event.type === 'finish')) {
        yield flushCalls();
      }
      switch (event.type) {
        case 'text':
          if (event.text) yield candidate([sign({ text: event.text })]) + tail;
          break;
        case 'reasoning':
          if (event.text) yield candidate([{ text: event.text, thought: true }]) + tail;
          break;
        case 'reasoning_signature':
          signature = event.signature;
          break;
        case 'tool_call_start':
          calls.set(event.index, { id: event.id, name: event.name, arguments: '' });
          break;
        case 'tool_call_delta': {
          const call = calls.get(event.index);
          if (call) call.arguments += event.arguments;
          break;
        }
        case 'finish':
          finish = event.reason;
          break;
        case 'usage':
          usage = event.usage;
          break;
        case 'error':
          throw event.error;
      }
    }
  } catch (err) {
    yield streamError(err);
    return;
  }
  if (calls.size) yield flushCalls();
  const usageJson = usage ? `,"usageMetadata":${JSON.stringify(usageToWire(usage))}` : '';
  yield candidate([sign({ text: '' })], `,"finishReason":"${finishToWire(finish)}"`) + usageJson + tail;
}
