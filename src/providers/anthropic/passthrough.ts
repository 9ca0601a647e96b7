/**
 * Anthropic client to Anthropic upstream: the client's Messages body goes out with only the model renamed (prompt-cache
 * breakpoints, betas and fields the canonical form has no slot for survive), and the answer's bytes pass through
 * while the usage is read from `message_start` and `message_delta`.
 */
import type { Usage } from '../../core/types.ts';
import { usageFromWire, type WireUsage } from '../../formats/anthropic/wire.ts';
import type { StreamScanner, Target, UpstreamCall } from '../types.ts';
import { apiUrl, headers } from './request.ts';

export function buildNative(
  body: Record<string, unknown>,
  clientHeaders: Record<string, string>,
  target: Target,
): UpstreamCall {
  return {
    url: apiUrl(target, 'messages'),
    headers: { ...clientHeaders, ...headers(target) },
    body: JSON.stringify({ ...body, model: target.upstreamModel }),
  };
}

/** The usage of a whole Messages answer. */
export function nativeUsage(body: Buffer): Usage | undefined {
  try {
    const usage = (JSON.parse(body.toString('utf8')) as { usage?: WireUsage }).usage;
    return usage ? usageFromWire(usage) : undefined;
  } catch {
    return undefined;
  }
}

const EVENT_END = /\r?\n\r?\n/g;

/** Forwards complete SSE events as they come; parses only the two event kinds that carry usage. */
export class AnthropicUsageScanner implements StreamScanner {
  usage: Usage | undefined;
  done = false;
  private held = '';
  private readonly counts: WireUsage = {};

  push(chunk: Buffer): Buffer | undefined {
    const text = this.held + chunk.toString('utf8');
    let end = 0;
    for (const match of text.matchAll(EVENT_END)) {
      this.read(text.slice(end, match.index));
      end = match.index + match[0].length;
    }
    this.held = text.slice(end);
    return end === 0 ? undefined : Buffer.from(text.slice(0, end), 'utf8');
  }

  flush(): Buffer | undefined {
    const rest = this.held;
    this.held = '';
    return rest ? Buffer.from(rest, 'utf8') : undefined;
  }

  private read(event: string): void {
    if (event.includes('message_stop')) this.done = true;
    if (!event.includes('"usage"') || !(event.includes('message_start') || event.includes('message_delta'))) return;
    const data = event.split(/\r?\n/).find((line) => line.startsWith('data:'));
    if (!data) return;
    try {
      const parsed = JSON.parse(data.slice(5)) as { usage?: WireUsage; message?: { usage?: WireUsage } };
      Object.assign(this.counts, parsed.message?.usage ?? parsed.usage);
      this.usage = usageFromWire(this.counts);
    } catch {
      // not JSON: forwarded as it is; the usage stays what it was
    }
  }
}
