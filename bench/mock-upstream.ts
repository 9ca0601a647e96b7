// Deterministic OpenAI-compatible upstream for the bench: one port answers at once, a second after --delay-ms.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { ANTHROPIC_PATH, CHAT_PATH, HOST } from './shared.ts';

const { values } = parseArgs({ options: { 'delay-ms': { type: 'string', default: '50' } } });
const delayMs = Number(values['delay-ms']);

const ID = 'chatcmpl-bench';
const CREATED = 1_700_000_000;
const MODEL = 'bench-model';
const STREAM_CHUNKS = 50;
const REPLY = 'Hello there, it is a pleasure to meet you today.';
const usage = { prompt_tokens: 14, completion_tokens: STREAM_CHUNKS, total_tokens: 14 + STREAM_CHUNKS };

const completion = Buffer.from(
  JSON.stringify({
    id: ID,
    object: 'chat.completion',
    created: CREATED,
    model: MODEL,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: REPLY, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 14, completion_tokens: 12, total_tokens: 26 },
    system_fingerprint: 'fp_bench',
  }),
);

function frame(payload: unknown): Buffer {
  return Buffer.from(`data: ${JSON.stringify(payload)}\n\n`);
}

/** The whole SSE body as the frames OpenAI sends, built once: 50 content deltas, usage if asked for, [DONE]. */
function streamFrames(includeUsage: boolean): Buffer[] {
  const words = REPLY.split(/(?= )/);
  const frames: Buffer[] = [];
  for (let i = 0; i < STREAM_CHUNKS; i++) {
    const content = words[i % words.length] ?? '';
    const delta = i === 0 ? { role: 'assistant', content } : { content };
    frames.push(
      frame({
        id: ID,
        object: 'chat.completion.chunk',
        created: CREATED,
        model: MODEL,
        system_fingerprint: 'fp_bench',
        choices: [{ index: 0, delta, logprobs: null, finish_reason: i === STREAM_CHUNKS - 1 ? 'stop' : null }],
        ...(includeUsage ? { usage: null } : {}),
      }),
    );
  }
  if (includeUsage) {
    frames.push(frame({ id: ID, object: 'chat.completion.chunk', created: CREATED, model: MODEL, choices: [], usage }));
  }
  frames.push(Buffer.from('data: [DONE]\n\n'));
  return frames;
}

const plainStream = streamFrames(false);
const usageStream = streamFrames(true);

function event(name: string, payload: unknown): Buffer {
  return Buffer.from(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
}

/** The same 50-delta reply as Anthropic's Messages API streams it, for the cross-format bench. */
function anthropicFrames(): Buffer[] {
  const words = REPLY.split(/(?= )/);
  const message = {
    id: 'msg_bench',
    type: 'message',
    role: 'assistant',
    model: MODEL,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 14, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
  };
  const frames = [
    event('message_start', { type: 'message_start', message }),
    event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    event('ping', { type: 'ping' }),
  ];
  for (let i = 0; i < STREAM_CHUNKS; i++) {
    const delta = { type: 'text_delta', text: words[i % words.length] ?? '' };
    frames.push(event('content_block_delta', { type: 'content_block_delta', index: 0, delta }));
  }
  frames.push(
    event('content_block_stop', { type: 'content_block_stop', index: 0 }),
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: STREAM_CHUNKS },
    }),
    event('message_stop', { type: 'message_stop' }),
  );
  return frames;
}

const anthropicStream = anthropicFrames();

interface StreamFlags {
  stream: boolean;
  includeUsage: boolean;
}

function streamFlags(raw: string): StreamFlags | null {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const { stream, stream_options: options } = body as {
    stream?: unknown;
    stream_options?: { include_usage?: unknown };
  };
  return { stream: stream === true, includeUsage: options?.include_usage === true };
}

function answer(res: ServerResponse, flags: StreamFlags, anthropic: boolean): void {
  if (anthropic) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const chunk of anthropicStream) res.write(chunk);
    res.end();
    return;
  }
  if (!flags.stream) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': completion.length });
    res.end(completion);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  // As fast as possible: one write per frame in one tick, so the socket may coalesce them.
  for (const chunk of flags.includeUsage ? usageStream : plainStream) res.write(chunk);
  res.end();
}

function sendError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type: 'invalid_request_error' } }));
}

function handler(delay: number) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const path = req.url?.split('?')[0];
      if (req.method === 'GET' && path === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: MODEL, object: 'model', owned_by: 'bench' }] }));
        return;
      }
      const anthropic = path === ANTHROPIC_PATH;
      if (req.method !== 'POST' || (path !== CHAT_PATH && !anthropic))
        return sendError(res, 404, `no route ${req.method} ${path}`);
      const flags = streamFlags(Buffer.concat(parts).toString());
      if (!flags) return sendError(res, 400, 'body is not a JSON object');
      if (anthropic && !flags.stream) return sendError(res, 400, 'the bench serves Anthropic streams only');
      if (delay > 0) setTimeout(answer, delay, res, flags, anthropic);
      else answer(res, flags, anthropic);
    });
  };
}

function listen(delay: number): Promise<Server> {
  const server = createServer(handler(delay));
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve(server));
  });
}

const [fast, slow] = await Promise.all([listen(0), listen(delayMs)]);
const port = (fast.address() as AddressInfo).port;
const slowPort = (slow.address() as AddressInfo).port;
// The orchestrator holds our stdin: when it goes away, so do we.
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
process.stdout.write(`${JSON.stringify({ port, slowPort })}\n`);
