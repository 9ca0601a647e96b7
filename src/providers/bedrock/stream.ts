/** Decodes ConverseStream's event stream into canonical events. */
import { UpstreamError } from '../../core/errors.ts';
import type { StreamEvent } from '../../core/types.ts';
import type { ByteStream } from '../types.ts';
import { eventMessages } from './eventstream.ts';
import { finishFromWire, streamException, usageFromWire, type WireUsage } from './response.ts';

interface WireEvent {
  contentBlockIndex?: number;
  start?: { toolUse?: { toolUseId?: string; name?: string } };
  delta?: {
    text?: string;
    toolUse?: { input?: string };
    reasoningContent?: { text?: string; signature?: string };
  };
  stopReason?: string;
  usage?: WireUsage;
}

export async function* decodeChatStream(body: ByteStream): AsyncIterable<StreamEvent> {
  // Content block index -> canonical tool call index.
  const tools = new Map<number, number>();
  let stopped = false;
  for await (const message of eventMessages(body)) {
    const kind = message.headers[':message-type'];
    const payload = message.payload.toString('utf8');
    if (kind === 'exception' || kind === 'error') {
      const type = message.headers[':exception-type'] ?? message.headers[':error-code'] ?? 'exception';
      yield { type: 'error', error: streamException(type, payload) };
      return;
    }
    let event: WireEvent;
    try {
      event = JSON.parse(payload) as WireEvent;
    } catch {
      throw new UpstreamError('Upstream stream carried an event that is not JSON.', { retryable: false });
    }
    const index = event.contentBlockIndex ?? 0;
    switch (message.headers[':event-type']) {
      case 'contentBlockStart': {
        const use = event.start?.toolUse;
        if (use) {
          tools.set(index, tools.size);
          yield { type: 'tool_call_start', index: tools.get(index)!, id: use.toolUseId ?? '', name: use.name ?? '' };
        }
        break;
      }
      case 'contentBlockDelta': {
        const delta = event.delta ?? {};
        if (delta.text) yield { type: 'text', text: delta.text };
        else if (delta.toolUse?.input) {
          const n = tools.get(index);
          if (n !== undefined) yield { type: 'tool_call_delta', index: n, arguments: delta.toolUse.input };
        } else if (delta.reasoningContent?.text) yield { type: 'reasoning', text: delta.reasoningContent.text };
        else if (delta.reasoningContent?.signature) {
          yield { type: 'reasoning_signature', signature: delta.reasoningContent.signature };
        }
        break;
      }
      case 'messageStop':
        stopped = true;
        yield { type: 'finish', reason: finishFromWire(event.stopReason) };
        break;
      case 'metadata':
        if (event.usage) yield { type: 'usage', usage: usageFromWire(event.usage) };
        break;
      default:
        // messageStart, contentBlockStop, and event types added later.
        break;
    }
  }
  if (!stopped) throw new UpstreamError('Upstream ended the stream before messageStop.', { retryable: false });
}
