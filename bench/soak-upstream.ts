// The soak's upstream: OpenAI chat, embeddings and Anthropic Messages under /ok, and deployments that fail on purpose.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HOST } from './shared.ts';

/** Stream pieces, and the pause between them: a stream lasts long enough to be left mid-way. */
const CHUNKS = 20;
const CHUNK_DELAY_MS = 10;
/** A cut stream is destroyed after this many pieces. */
const CUT_AFTER = 5;
/** `/slow` waits this long before its headers, so a client can leave before any. */
const SLOW_HEADERS_MS = 1000;
const EMBEDDING_SIZE = 64;
const WORDS = 'the quick brown fox jumps over the lazy dog and keeps running far away'.split(' ');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sse = (payload: unknown, event?: string) =>
  `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(payload)}\n\n`;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Writes `frames` one by one with a pause between them; stops early when the client (the gateway) left. */
async function stream(res: ServerResponse, frames: string[], cutAfter?: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const [i, frame] of frames.entries()) {
    if (res.destroyed) return;
    if (i === cutAfter) {
      res.destroy();
      return;
    }
    res.write(frame);
    await sleep(CHUNK_DELAY_MS);
  }
  res.end();
}

function chatFrames(model: string, includeUsage: boolean): string[] {
  const base = { id: 'chatcmpl-soak', object: 'chat.completion.chunk', created: 1_700_000_000, model };
  const frames = Array.from({ length: CHUNKS }, (_, i) =>
    sse({
      ...base,
      choices: [
        {
          index: 0,
          delta: i === 0 ? { role: 'assistant', content: WORDS[0] } : { content: ` ${WORDS[i % WORDS.length]}` },
          finish_reason: i === CHUNKS - 1 ? 'stop' : null,
        },
      ],
    }),
  );
  if (includeUsage) {
    frames.push(
      sse({ ...base, choices: [], usage: { prompt_tokens: 12, completion_tokens: CHUNKS, total_tokens: 12 + CHUNKS } }),
    );
  }
  frames.push('data: [DONE]\n\n');
  return frames;
}

function chatCompletion(model: string): unknown {
  return {
    id: 'chatcmpl-soak',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: WORDS.join(' ') }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: WORDS.length, total_tokens: 12 + WORDS.length },
  };
}

function anthropicFrames(model: string): string[] {
  const usage = { input_tokens: 12, output_tokens: 1 };
  const message = { id: 'msg_soak', type: 'message', role: 'assistant', model, content: [], stop_reason: null, usage };
  return [
    sse({ type: 'message_start', message }, 'message_start'),
    sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'),
    ...Array.from({ length: CHUNKS }, (_, i) =>
      sse(
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `${WORDS[i % WORDS.length]} ` } },
        'content_block_delta',
      ),
    ),
    sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
    sse(
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: CHUNKS },
      },
      'message_delta',
    ),
    sse({ type: 'message_stop' }, 'message_stop'),
  ];
}

function anthropicMessage(model: string): unknown {
  return {
    id: 'msg_soak',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: WORDS.join(' ') }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 12, output_tokens: WORDS.length },
  };
}

function embeddings(model: string, input: unknown): unknown {
  const inputs = Array.isArray(input) ? input : [input];
  const vector = Array.from({ length: EMBEDDING_SIZE }, (_, i) => Math.sin(i) / 2);
  return {
    object: 'list',
    model,
    data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: vector })),
    usage: { prompt_tokens: 4 * inputs.length, total_tokens: 4 * inputs.length },
  };
}

interface Body {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  input?: unknown;
}

async function answer(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
  const [, mode = '', ...rest] = (req.url ?? '/').split('?')[0]!.split('/');
  const path = `/${rest.join('/')}`;
  let body: Body;
  try {
    body = JSON.parse(raw) as Body;
  } catch {
    return json(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
  }
  const model = body.model ?? 'soak';
  if (mode === 'e500') return json(res, 500, { error: { message: 'soak: internal error', type: 'server_error' } });
  if (mode === 'e429') {
    return json(res, 429, { error: { message: 'soak: slow down', type: 'rate_limit_error' } }, { 'retry-after': '1' });
  }
  if (mode === 'slow') await sleep(SLOW_HEADERS_MS);
  if (path === '/v1/embeddings') return json(res, 200, embeddings(model, body.input));
  if (path === '/v1/messages') {
    return body.stream ? stream(res, anthropicFrames(model)) : json(res, 200, anthropicMessage(model));
  }
  if (path !== '/v1/chat/completions') return json(res, 404, { error: { message: `no route ${path}` } });
  if (!body.stream) return json(res, 200, chatCompletion(model));
  return stream(
    res,
    chatFrames(model, body.stream_options?.include_usage === true),
    mode === 'cut' ? CUT_AFTER : undefined,
  );
}

const server = createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on('data', (part: Buffer) => parts.push(part));
  req.on('end', () => void answer(req, res, Buffer.concat(parts).toString('utf8')).catch(() => res.destroy()));
});
server.keepAliveTimeout = 65_000;
server.listen(0, HOST, () => {
  // The orchestrator holds our stdin: when it goes away, so do we.
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
