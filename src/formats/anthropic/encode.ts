/** Encodes canonical event streams and errors as Anthropic's: the Messages SSE event sequence, `{"type":"error",…}`. */
import { asGatewayError, type GatewayError } from '../../core/errors.ts';
import type { FinishReason, StreamEvent, Usage } from '../../core/types.ts';
import { finishToWire, REDACTED_THINKING, usageToWire } from './wire.ts';

/** Anthropic's error type for a gateway error. */
function errorType(err: GatewayError): string {
  switch (err.kind) {
    case 'invalid_request':
    case 'unsupported_media_type':
      return 'invalid_request_error';
    case 'unauthorized':
      return 'authentication_error';
    case 'forbidden':
      return 'permission_error';
    case 'not_found':
      return 'not_found_error';
    case 'payload_too_large':
      return 'request_too_large';
    case 'quota_exceeded':
    case 'rate_limited':
      return 'rate_limit_error';
    case 'unavailable':
      return 'overloaded_error';
    case 'upstream':
      if (err.status === 529 || err.status === 503) return 'overloaded_error';
      if (err.status === 404) return 'not_found_error';
      if (err.status === 413) return 'request_too_large';
      return err.status < 500 ? 'invalid_request_error' : 'api_error';
    default:
      return 'api_error';
  }
}

function errorJson(err: GatewayError): string {
  return JSON.stringify({ type: 'error', error: { type: errorType(err), message: err.message } });
}

export function encodeError(err: GatewayError): { status: number; body: string } {
  return { status: err.status, body: errorJson(err) };
}

export function streamError(err: unknown): string {
  return `event: error\ndata: ${errorJson(asGatewayError(err))}\n\n`;
}

/** The closing event of a Messages stream. */
export const MESSAGE_STOP = 'event: message_stop\ndata: {"type":"message_stop"}\n\n';

const sse = (type: string, data: Record<string, unknown>): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

type BlockKind = 'text' | 'thinking' | 'tool_use';

interface PendingTool {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Canonical events -> Anthropic's stream: `message_start`, `ping`, then per content block `content_block_start`,
 * deltas and `content_block_stop` (a new block whenever the kind changes), `message_delta` with the stop reason and
 * usage, `message_stop`. Tool calls stream as `input_json_delta` when they come one after another; a call whose
 * arguments arrive while another call's block is open waits for its own block.
 */
export async function* encodeStream(
  events: AsyncIterable<StreamEvent>,
  ctx: { id: string; model: string; estimatePromptTokens(): number },
): AsyncIterable<string> {
  let index = -1;
  let open: { kind: BlockKind; tool?: number } | undefined;
  const pending = new Map<number, PendingTool>();
  const closed = new Set<number>();
  let finish: FinishReason = 'stop';
  let usage: Usage | undefined;
  let out = '';

  const start = (kind: BlockKind, block: Record<string, unknown>, tool?: number): void => {
    stop();
    index++;
    open = tool === undefined ? { kind } : { kind, tool };
    out += sse('content_block_start', { index, content_block: block });
  };
  const delta = (data: Record<string, unknown>): void => {
    out += sse('content_block_delta', { index, delta: data });
  };
  function stop(): void {
    if (!open) return;
    if (open.tool !== undefined) closed.add(open.tool);
    out += sse('content_block_stop', { index });
    open = undefined;
  }
  const openTool = (n: number): void => {
    const tool = pending.get(n)!;
    pending.delete(n);
    start('tool_use', { type: 'tool_use', id: tool.id, name: tool.name, input: {} }, n);
    if (tool.arguments) delta({ type: 'input_json_delta', partial_json: tool.arguments });
  };
  const flushTools = (): void => {
    for (const n of [...pending.keys()]) openTool(n);
  };

  const input = usageToWire({ promptTokens: ctx.estimatePromptTokens(), completionTokens: 0, totalTokens: 0 });
  yield sse('message_start', {
    message: {
      id: ctx.id,
      type: 'message',
      role: 'assistant',
      model: ctx.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...input, output_tokens: 1 },
    },
  }) + sse('ping', {});
  try {
    for await (const event of events) {
      switch (event.type) {
        case 'text':
          if (!event.text) break;
          if (open?.kind !== 'text') {
            flushTools();
            start('text', { type: 'text', text: '' });
          }
          delta({ type: 'text_delta', text: event.text });
          break;
        case 'reasoning':
          if (!event.text) break;
          if (open?.kind !== 'thinking') start('thinking', { type: 'thinking', thinking: '', signature: '' });
          delta({ type: 'thinking_delta', thinking: event.text });
          break;
        case 'reasoning_signature':
          if (event.signature.startsWith(REDACTED_THINKING)) {
            start('thinking', { type: 'redacted_thinking', data: event.signature.slice(REDACTED_THINKING.length) });
            stop();
            break;
          }
          // A signature with no thinking before it (Gemini signs text and calls) still travels, in a block of its own.
          if (open?.kind !== 'thinking') start('thinking', { type: 'thinking', thinking: '', signature: '' });
          delta({ type: 'signature_delta', signature: event.signature });
          break;
        case 'tool_call_start':
          pending.set(event.index, { id: event.id, name: event.name, arguments: '' });
          if (open?.kind !== 'tool_use') openTool(event.index);
          break;
        case 'tool_call_delta':
          if (open?.tool === event.index) delta({ type: 'input_json_delta', partial_json: event.arguments });
          else if (pending.has(event.index)) {
            if (open?.kind === 'tool_use') {
              // The open call is complete once another call's arguments begin: this call's block comes next.
              openTool(event.index);
              delta({ type: 'input_json_delta', partial_json: event.arguments });
            } else pending.get(event.index)!.arguments += event.arguments;
          } else if (!closed.has(event.index)) {
            // Arguments with no start before them: a call of its own.
            pending.set(event.index, { id: `toolu_${event.index}`, name: '', arguments: event.arguments });
          }
          break;
        case 'finish':
          finish = event.reason;
          break;
        case 'usage':
          usage = event.usage;
          break;
        case 'error':
          throw event.error;
      }
      if (out) {
        yield out;
        out = '';
      }
    }
    flushTools();
    stop();
  } catch (err) {
    yield out + streamError(err);
    return;
  }
  // Without usage, input counts are left out: the client keeps the estimate message_start gave.
  const counts = usage ? usageToWire(usage) : { output_tokens: 0 };
  yield out +
    sse('message_delta', { delta: { stop_reason: finishToWire(finish), stop_sequence: null }, usage: counts });
  yield MESSAGE_STOP;
}
