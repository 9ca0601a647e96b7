/** Decodes Anthropic's Messages SSE stream into canonical events. */
import { UpstreamError } from '../../core/errors.ts';
import type { StreamEvent } from '../../core/types.ts';
import {
  finishFromWire,
  REDACTED_THINKING,
  usageFromWire,
  type WireContentBlock,
  type WireUsage,
} from '../../formats/anthropic/wire.ts';
import { sseEvents } from '../framing.ts';
import type { ByteStream } from '../types.ts';
import { answerError } from './response.ts';

interface WireStreamEvent {
  type?: string;
  index?: number;
  message?: { usage?: WireUsage | null };
  content_block?: WireContentBlock;
  delta?: {
    type?: string;
    text?: string;
    partial_json?: string;
    thinking?: string;
    signature?: string;
    stop_reason?: string | null;
  };
  usage?: WireUsage | null;
  error?: { type?: string; message?: string };
}

/** Each event's own counts overwrite earlier ones (message_delta's are cumulative totals). */
function mergeUsage(into: WireUsage, from: WireUsage | null | undefined): void {
  if (!from) return;
  for (const key of Object.keys(from) as (keyof WireUsage)[]) {
    const value = from[key];
    if (typeof value === 'number') into[key] = value;
  }
}

export async function* decodeChatStream(body: ByteStream): AsyncIterable<StreamEvent> {
  const usage: WireUsage = {};
  // Content block index -> canonical tool call index.
  const tools = new Map<number, number>();
  let stopped = false;
  for await (const sse of sseEvents(body)) {
    if (!sse.data) continue;
    let event: WireStreamEvent;
    try {
      event = JSON.parse(sse.data) as WireStreamEvent;
    } catch {
      throw new UpstreamError('Upstream stream carried an event that is not JSON.', { retryable: false });
    }
    switch (event.type) {
      case 'message_start':
        mergeUsage(usage, event.message?.usage);
        break;
      case 'content_block_start': {
        const block = event.content_block ?? {};
        if (block.type === 'tool_use') {
          const n = tools.size;
          tools.set(event.index ?? 0, n);
          yield { type: 'tool_call_start', index: n, id: block.id ?? '', name: block.name ?? '' };
        } else if (block.type === 'text' && block.text) yield { type: 'text', text: block.text };
        else if (block.type === 'thinking' && block.thinking) yield { type: 'reasoning', text: block.thinking };
        else if (block.type === 'redacted_thinking' && block.data) {
          yield { type: 'reasoning_signature', signature: REDACTED_THINKING + block.data };
        }
        break;
      }
      case 'content_block_delta': {
        const delta = event.delta ?? {};
        if (delta.type === 'text_delta' && delta.text) yield { type: 'text', text: delta.text };
        else if (delta.type === 'thinking_delta' && delta.thinking) yield { type: 'reasoning', text: delta.thinking };
        else if (delta.type === 'signature_delta' && delta.signature) {
          yield { type: 'reasoning_signature', signature: delta.signature };
        } else if (delta.type === 'input_json_delta' && delta.partial_json) {
          const n = tools.get(event.index ?? 0);
          if (n !== undefined) yield { type: 'tool_call_delta', index: n, arguments: delta.partial_json };
        }
        break;
      }
      case 'message_delta':
        mergeUsage(usage, event.usage);
        if (event.delta?.stop_reason) yield { type: 'finish', reason: finishFromWire(event.delta.stop_reason) };
        break;
      case 'message_stop':
        stopped = true;
        break;
      case 'error':
        yield { type: 'error', error: answerError(event, false) };
        return;
      default:
        // ping, content_block_stop, and event types added later.
        break;
    }
  }
  if (!stopped) throw new UpstreamError('Upstream ended the stream before message_stop.', { retryable: false });
  yield { type: 'usage', usage: usageFromWire(usage) };
}
