/**
 * The text a pass-through stream had delivered when it was cut (client gone, upstream failed) before upstream sent
 * its usage: gathered from the forwarded SSE events so the request can still be billed by counting tokens.
 */

/** Keys whose string values are generated text in OpenAI, Anthropic and Gemini stream events. */
const TEXT_KEYS = new Set([
  'content',
  'text',
  'reasoning_content',
  'reasoning',
  'arguments',
  'partial_json',
  'thinking',
]);

function collect(value: unknown, into: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, into);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (typeof inner === 'string') {
        if (TEXT_KEYS.has(key)) into.push(inner);
      } else collect(inner, into);
    }
  }
}

/** Up to this many bytes of a stream are kept for counting; past it, the rest is estimated from its length. */
export const CUT_STREAM_KEEP_BYTES = 8 * 1024 * 1024;

/** The generated text in SSE events (`data: {json}` lines); bytes past what was kept count as 4 bytes a token. */
export function streamedText(chunks: readonly Buffer[]): string {
  const parts: string[] = [];
  for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (!data.startsWith('{')) continue;
    try {
      collect(JSON.parse(data), parts);
    } catch {
      // A line cut in the middle: its text is lost to the count, as it was to the client.
    }
  }
  return parts.join('');
}

/** The generated text in a whole JSON answer (a non-stream pass-through body); '' when it is not JSON. */
export function answerText(body: Buffer): string {
  const parts: string[] = [];
  try {
    collect(JSON.parse(body.toString('utf8')), parts);
  } catch {
    return '';
  }
  return parts.join('');
}
