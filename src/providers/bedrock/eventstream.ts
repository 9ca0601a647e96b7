/**
 * The AWS event stream framing of ConverseStream answers (`application/vnd.amazon.eventstream`): binary messages of
 * prelude (total length, headers length, CRC32), headers, payload and a CRC32 of the whole, across any chunk borders.
 */
import { crc32 } from 'node:zlib';
import { UpstreamError } from '../../core/errors.ts';

export interface EventMessage {
  headers: Record<string, string>;
  payload: Buffer;
}

const PRELUDE = 12;
const STRING = 7;

function readHeaders(buf: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  let at = 0;
  while (at < buf.length) {
    const nameLength = buf.readUInt8(at);
    const name = buf.toString('utf8', at + 1, at + 1 + nameLength);
    at += 1 + nameLength;
    const type = buf.readUInt8(at);
    at += 1;
    // Only string headers occur in Bedrock's streams; the others are skipped by their fixed or stated sizes.
    const sizes: Record<number, number> = { 0: 0, 1: 0, 2: 1, 3: 2, 4: 4, 5: 8, 8: 8, 9: 16 };
    if (type === STRING || type === 6) {
      const length = buf.readUInt16BE(at);
      if (type === STRING) headers[name] = buf.toString('utf8', at + 2, at + 2 + length);
      at += 2 + length;
    } else at += sizes[type] ?? buf.length;
  }
  return headers;
}

/** The messages of an event stream, in order, as they complete; a damaged frame (bad CRC) throws. */
export async function* eventMessages(body: AsyncIterable<Uint8Array>): AsyncIterable<EventMessage> {
  let buffered = Buffer.alloc(0);
  for await (const chunk of body) {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : Buffer.from(chunk);
    while (buffered.length >= PRELUDE) {
      const total = buffered.readUInt32BE(0);
      if (buffered.length < total) break;
      const headersLength = buffered.readUInt32BE(4);
      if (crc32(buffered.subarray(0, 8)) !== buffered.readUInt32BE(8) || total < PRELUDE + headersLength + 4) {
        throw new UpstreamError('Upstream sent a damaged event-stream frame (prelude checksum).', { retryable: false });
      }
      if (crc32(buffered.subarray(0, total - 4)) !== buffered.readUInt32BE(total - 4)) {
        throw new UpstreamError('Upstream sent a damaged event-stream frame (message checksum).', { retryable: false });
      }
      const headers = readHeaders(buffered.subarray(PRELUDE, PRELUDE + headersLength));
      yield { headers, payload: buffered.subarray(PRELUDE + headersLength, total - 4) };
      buffered = buffered.subarray(total);
    }
  }
  if (buffered.length) throw new UpstreamError('Upstream ended the event stream inside a frame.', { retryable: false });
}

/** One event-stream message with string headers (for the mock upstream and fixtures). */
export function encodeEventMessage(headers: Record<string, string>, payload: string): Buffer {
  const headerParts = Object.entries(headers).map(([name, value]) => {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const part = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
    part.writeUInt8(n.length, 0);
    n.copy(part, 1);
    part.writeUInt8(STRING, 1 + n.length);
    part.writeUInt16BE(v.length, 2 + n.length);
    v.copy(part, 4 + n.length);
    return part;
  });
  const headerBytes = Buffer.concat(headerParts);
  const body = Buffer.from(payload, 'utf8');
  const total = PRELUDE + headerBytes.length + body.length + 4;
  const message = Buffer.alloc(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(headerBytes.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  headerBytes.copy(message, PRELUDE);
  body.copy(message, PRELUDE + headerBytes.length);
  message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4);
  return message;
}
