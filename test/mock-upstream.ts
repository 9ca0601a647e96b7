/**
 * A scriptable stand-in for OpenAI, Azure OpenAI and Ollama upstreams in end-to-end tests: deterministic answers built
 * from each request (see mock-upstream/wire.ts), every request recorded, and faults queued per request or set per key.
 *
 *   const mock = await startMockUpstream({ keys: ['k1', 'k2'] });
 *   mock.enqueue({ status: 429, headers: { 'retry-after': '1' } }, { key: 'k1' }); // next request with k1 only
 *   mock.enqueue({ cutAfterChunks: 2 });                                           // next request, whoever sends it
 *   mock.setKeyBehaviour('k2', { status: 401 });                                   // every request with k2
 *   mock.enqueue({ resetBeforeHeaders: true });                                    // a reset instead of an answer
 *   … mock.requests, mock.maxInFlight, mock.aborted, mock.connections …
 *   await mock.close();
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MockDialect, MockRoute } from './mock-upstream/dialect.ts';
import { DIALECTS } from './mock-upstream/dialects.ts';
import {
  chatChunks,
  chatCompletion,
  chatReply,
  completionReply,
  type Dialect,
  type Envelope,
  embeddingList,
  errorBody,
  type Finish,
  modelList,
  ollamaChat,
  ollamaChatLines,
  ollamaEmbed,
  ollamaGenerate,
  ollamaGenerateLines,
  ollamaTags,
  type Reply,
  streamErrorPayload,
  textCompletion,
  textCompletionChunks,
} from './mock-upstream/wire.ts';

/** How the mock treats one request. Fields combine: e.g. `{ delayMs: 50, chunks: 3, chunkDelayMs: 10 }`. */
export interface Behaviour {
  /** Answer with this status (an error body in the upstream's own shape unless `body` is given) instead of a reply. */
  status?: number;
  /** Answer with this body (a string as is, anything else as JSON), with `status` or 200. */
  body?: unknown;
  /** Extra response headers, e.g. `{ 'retry-after': '2' }`. */
  headers?: Record<string, string>;
  /** Wait this long before sending headers. */
  delayMs?: number;
  /**
   * Wait this long between stream messages. This and the other message-level faults (cut, stall, truncate) also apply
   * to a non-stream body: it then goes out as two messages, its halves (a slow body, a body cut in the middle).
   */
  chunkDelayMs?: number;
  /** Destroy the socket after this many stream messages (SSE events / NDJSON lines). */
  cutAfterChunks?: number;
  /** After this many stream messages, send the upstream's in-stream error and end. */
  errorAfterChunks?: number;
  /** The message of that in-stream error. */
  errorMessage?: string;
  /** Split the reply text into this many stream pieces (default: one per word). */
  chunks?: number;
  /** Never answer: the request stays open until the client gives up (timeout tests). */
  hang?: boolean;
  /** Destroy the socket instead of answering (after `delayMs`): a connection reset before any header. */
  resetBeforeHeaders?: boolean;
  /** After this many stream messages, send nothing more and keep the connection open: a stalled stream. */
  stallAfterChunks?: number;
  /** After this many stream messages, send the first half of the next one and end the response: a cut event. */
  truncateAfterChunks?: number;
  /** After this many stream messages, end the response as if it were complete: a stream without its last events. */
  endAfterChunks?: number;
  /** Reply with this text instead of the echo. */
  reply?: string;
  /** Finish with this reason instead of `stop`. */
  finishReason?: Finish;
  /** Think before answering (also when the body asks: reasoning_effort, reasoning, enable_thinking, thinking). */
  think?: boolean;
}

/** Which requests a queued behaviour may be consumed by; all given fields must match. */
export interface FaultFilter {
  key?: string;
  /** Exact path, a path suffix (`/chat/completions` matches OpenAI's and Azure's), or a pattern. */
  path?: string | RegExp;
  /** The body's `model`, or the Azure deployment. */
  model?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the raw text when it is not JSON (undefined when empty). */
  body: unknown;
  /** From `authorization: Bearer …` or `api-key`, or as the plugged-in dialect finds it. */
  key: string | undefined;
  /** 'openai', 'azure', 'ollama', or a plugged-in dialect's name (see mock-upstream/dialects.ts). */
  dialect: string;
  /** The body's `model`, or the Azure deployment. */
  model: string | undefined;
  /** The status the mock answered with (undefined while hanging or delayed). */
  status?: number;
  /** The client closed the connection before the answer was complete. */
  aborted: boolean;
  /** When the mock saw the connection close (`performance.now()`), for how fast an abort reached it. */
  closedAt?: number;
  /** Stream messages handed to the socket so far (a client that stops reading holds this back). */
  sent: number;
}

export interface MockOptions {
  /** Keys accepted; any key (Azure: any `api-key`) when unset. */
  keys?: readonly string[];
  /** Models the OpenAI and Ollama endpoints know (others: 404), listed by /v1/models and /api/tags; any when unset. */
  models?: readonly string[];
  /** Azure deployments that exist (others: DeploymentNotFound); any when unset. */
  deployments?: readonly string[];
  /** Where OpenAI-dialect answers carry reasoning: `reasoning_content` (DeepSeek, default) or `reasoning` (OpenRouter). */
  reasoningField?: 'reasoning_content' | 'reasoning';
}

type Endpoint = 'chat' | 'completions' | 'embeddings' | 'models';

interface Route {
  dialect: Dialect;
  endpoint: Endpoint;
  /** Azure's deployment path segment. */
  deployment?: string;
}

/** Body fields with which OpenAI-compatible vendors switch thinking on. */
const THINK_SWITCHES = ['reasoning_effort', 'reasoning', 'enable_thinking', 'thinking'];
const DEFAULT_MODELS = ['gpt-4o-mini', 'text-embedding-3-small'];
const AZURE_DEPLOYMENT = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|completions|embeddings)$/;
const AZURE_V1 = /^\/openai\/v1\/(chat\/completions|completions|embeddings|models)$/;
const OPENAI_PATHS: Record<string, Endpoint> = {
  'POST /v1/chat/completions': 'chat',
  'POST /v1/completions': 'completions',
  'POST /v1/embeddings': 'embeddings',
  'GET /v1/models': 'models',
};
const OLLAMA_PATHS: Record<string, Endpoint> = {
  'POST /api/chat': 'chat',
  'POST /api/generate': 'completions',
  'POST /api/embed': 'embeddings',
  'GET /api/tags': 'models',
};
const AZURE_OPS: Record<string, Endpoint> = {
  'chat/completions': 'chat',
  completions: 'completions',
  embeddings: 'embeddings',
  models: 'models',
};

function routeOf(method: string, path: string): Route | undefined {
  const openai = OPENAI_PATHS[`${method} ${path}`];
  if (openai) return { dialect: 'openai', endpoint: openai };
  const ollama = OLLAMA_PATHS[`${method} ${path}`];
  if (ollama) return { dialect: 'ollama', endpoint: ollama };
  const deployment = AZURE_DEPLOYMENT.exec(path);
  if (deployment && method === 'POST') {
    return {
      dialect: 'azure',
      endpoint: AZURE_OPS[deployment[2] ?? ''] ?? 'chat',
      deployment: decodeURIComponent(deployment[1] ?? ''),
    };
  }
  const v1 = AZURE_V1.exec(path);
  const op = v1 ? AZURE_OPS[v1[1] ?? ''] : undefined;
  if (op && method === (op === 'models' ? 'GET' : 'POST')) return { dialect: 'azure', endpoint: op };
  return undefined;
}

function dialectOfPath(path: string): Dialect {
  if (path.startsWith('/api/')) return 'ollama';
  if (path.startsWith('/openai/')) return 'azure';
  return 'openai';
}

function keyOf(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const apiKey = headers['api-key'];
  return typeof apiKey === 'string' ? apiKey : undefined;
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function mask(key: string): string {
  return key.length > 8 ? `${key.slice(0, 3)}***${key.slice(-4)}` : '***';
}

function matches(filter: FaultFilter | undefined, rec: RecordedRequest): boolean {
  if (!filter) return true;
  if (filter.key !== undefined && filter.key !== rec.key) return false;
  if (filter.model !== undefined && filter.model !== rec.model) return false;
  const p = filter.path;
  if (p instanceof RegExp) return p.test(rec.path);
  return p === undefined || rec.path === p || rec.path.endsWith(p);
}

/** A stream's messages in their wire framing, and how an in-stream error is framed. */
interface Frames {
  messages: (string | Uint8Array)[];
  error(message: string): string | Uint8Array;
  contentType: string;
  /** The response status (default 200). */
  status?: number;
}

/** Whether a behaviour shapes the body message by message (so a non-stream body goes out in halves). */
function paced(b: Behaviour | undefined): boolean {
  return (
    b !== undefined &&
    (b.chunkDelayMs !== undefined ||
      b.cutAfterChunks !== undefined ||
      b.stallAfterChunks !== undefined ||
      b.truncateAfterChunks !== undefined ||
      b.endAfterChunks !== undefined)
  );
}

function pluggedRoute(
  method: string,
  path: string,
  query: Record<string, string>,
  headers: IncomingHttpHeaders,
): { dialect: MockDialect; route: MockRoute } | undefined {
  for (const dialect of DIALECTS) {
    const route = dialect.route(method, path, query, headers);
    if (route) return { dialect, route };
  }
  return undefined;
}

/** One request being answered: its response, its record, and whether it is still worth writing to. */
interface Exchange {
  res: ServerResponse;
  rec: RecordedRequest;
  /** Aborted when the connection closes, to stop delays and streams. */
  signal: AbortSignal;
  /** The mock cut the connection on purpose (not a client abort). */
  cut: boolean;
}

export class MockUpstream {
  readonly url: string;
  readonly requests: RecordedRequest[] = [];
  /** Requests being answered now. */
  inFlight = 0;
  /** The most requests answered at once since start (or reset). */
  maxInFlight = 0;
  /** Requests the client closed before their answer was complete. */
  aborted = 0;
  /** TCP connections open to the mock now (idle keep-alive ones included). */
  connections = 0;

  readonly #server: ReturnType<typeof createServer>;
  readonly #options: MockOptions;
  readonly #queue: { behaviour: Behaviour; filter: FaultFilter | undefined }[] = [];
  readonly #keyBehaviours = new Map<string, Behaviour>();
  #seq = 0;
  #closing = false;

  constructor(server: ReturnType<typeof createServer>, url: string, options: MockOptions) {
    this.#server = server;
    this.url = url;
    this.#options = options;
    server.on('connection', (socket) => {
      this.connections++;
      socket.once('close', () => this.connections--);
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`mock upstream failure: ${String(err)}`);
      });
    });
  }

  /** Queues a behaviour for the next request that matches `filter` (any request without one); consumed once, in order. */
  enqueue(behaviour: Behaviour, filter?: FaultFilter): void {
    this.#queue.push({ behaviour, filter });
  }

  /** Sets (or with undefined, clears) how every request with this key is treated; queued behaviours override it. */
  setKeyBehaviour(key: string, behaviour: Behaviour | undefined): void {
    if (behaviour) this.#keyBehaviours.set(key, behaviour);
    else this.#keyBehaviours.delete(key);
  }

  /** Behaviours still queued. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Forgets recorded requests, queued and per-key behaviours, and counters. */
  reset(): void {
    this.requests.length = 0;
    this.#queue.length = 0;
    this.#keyBehaviours.clear();
    this.maxInFlight = this.inFlight;
    this.aborted = 0;
  }

  /** Resolves once `condition` holds (polled), e.g. `mock.until(() => mock.aborted === 1)`. */
  async until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`mock upstream: condition not met within ${timeoutMs} ms`);
      await sleep(5);
    }
  }

  async close(): Promise<void> {
    this.#closing = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const controller = new AbortController();
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const url = new URL(req.url ?? '/', 'http://mock');
    const method = req.method ?? 'GET';
    const query = Object.fromEntries(url.searchParams);
    const plugged = pluggedRoute(method, url.pathname, query, req.headers);
    const route = plugged ? undefined : routeOf(method, url.pathname);
    const builtin: Dialect = route?.dialect ?? dialectOfPath(url.pathname);
    const rec: RecordedRequest = {
      method,
      path: url.pathname,
      query,
      headers: req.headers,
      body: undefined,
      key: plugged ? plugged.dialect.key(req.headers, query) : keyOf(req.headers),
      dialect: plugged?.dialect.name ?? builtin,
      model: undefined,
      aborted: false,
      sent: 0,
    };
    const ex: Exchange = { res, rec, signal: controller.signal, cut: false };
    res.on('close', () => {
      rec.closedAt = performance.now();
      this.inFlight--;
      if (!res.writableFinished && !ex.cut && !this.#closing) {
        this.aborted++;
        rec.aborted = true;
      }
      controller.abort();
    });
    this.requests.push(rec);

    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    rec.body = parseBody(text);
    const body = rec.body !== null && typeof rec.body === 'object' ? (rec.body as Record<string, unknown>) : {};
    rec.model = route?.deployment ?? plugged?.route.model ?? (typeof body.model === 'string' ? body.model : undefined);

    const behaviour = this.#behaviourFor(rec);
    if (behaviour.hang) return;
    if (behaviour.delayMs && !(await this.#pause(ex, behaviour.delayMs))) return;
    if (behaviour.resetBeforeHeaders) {
      ex.cut = true;
      res.destroy();
      return;
    }
    if (behaviour.body !== undefined || (behaviour.status !== undefined && behaviour.status >= 400)) {
      const status = behaviour.status ?? 200;
      const fault = behaviour.body ?? (plugged ? plugged.dialect.errorBody(status) : errorBody(builtin, status));
      await this.#send(ex, status, fault, behaviour.headers, behaviour);
      return;
    }
    if (plugged) return this.#answerPlugged(ex, plugged.dialect, plugged.route, text, body, behaviour);
    if (!route) {
      this.#send(ex, 404, errorBody(builtin, 404, `Unknown path ${method} ${url.pathname}`));
      return;
    }
    const refusal = this.#refusal(route, rec, text, body);
    if (refusal) {
      this.#send(ex, refusal.status, refusal.body);
      return;
    }
    await this.#answer(ex, route, body, behaviour);
  }

  #behaviourFor(rec: RecordedRequest): Behaviour {
    const base = rec.key === undefined ? undefined : this.#keyBehaviours.get(rec.key);
    const i = this.#queue.findIndex((q) => matches(q.filter, rec));
    const queued = i === -1 ? undefined : this.#queue.splice(i, 1)[0]?.behaviour;
    return { ...base, ...queued };
  }

  /** What a real upstream would refuse: bad keys, unknown models or deployments, missing api-version, bad JSON. */
  #refusal(
    route: Route,
    rec: RecordedRequest,
    text: string,
    body: Record<string, unknown>,
  ): { status: number; body: unknown } | undefined {
    const { keys, models, deployments } = this.#options;
    const d = route.dialect;
    if (d === 'azure') {
      const apiKey = rec.headers['api-key'];
      if (typeof apiKey !== 'string' || (keys && !keys.includes(apiKey))) {
        return {
          status: 401,
          body: errorBody(
            'azure',
            401,
            'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
          ),
        };
      }
      if (route.deployment !== undefined && !rec.query['api-version']) {
        return { status: 404, body: errorBody('azure', 404, 'Resource not found') };
      }
    } else if (keys && (rec.key === undefined || !keys.includes(rec.key))) {
      const message =
        d === 'ollama'
          ? 'unauthorized'
          : rec.key === undefined
            ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
            : `Incorrect API key provided: ${mask(rec.key)}. You can find your API key at https://platform.openai.com/account/api-keys.`;
      return { status: 401, body: errorBody(d, 401, message) };
    }
    if (route.endpoint === 'models') return undefined;
    if (text !== '' && rec.body === text) {
      return { status: 400, body: errorBody(d, 400, 'We could not parse the JSON body of your request.') };
    }
    if (d === 'azure' && deployments && rec.model !== undefined && !deployments.includes(rec.model)) {
      const notFound = {
        error: {
          code: 'DeploymentNotFound',
          message:
            'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
        },
      };
      return { status: 404, body: notFound };
    }
    if (d !== 'azure' && models && (rec.model === undefined || !models.includes(rec.model))) {
      const message =
        d === 'ollama'
          ? `model "${rec.model ?? ''}" not found, try pulling it first`
          : `The model \`${rec.model ?? ''}\` does not exist or you do not have access to it.`;
      return { status: 404, body: errorBody(d, 404, message) };
    }
    if (route.endpoint === 'chat' && !Array.isArray(body.messages)) {
      return { status: 400, body: errorBody(d, 400, "'messages' is a required property") };
    }
    // As OpenAI refuses them (a billion dimensions would also take this process's memory).
    const dims = body.dimensions;
    if (
      route.endpoint === 'embeddings' &&
      dims !== undefined &&
      !(Number.isInteger(dims) && (dims as number) >= 1 && (dims as number) <= 3072)
    ) {
      return { status: 400, body: errorBody(d, 400, `Invalid 'dimensions': ${JSON.stringify(dims)}.`) };
    }
    return undefined;
  }

  async #answer(ex: Exchange, route: Route, body: Record<string, unknown>, b: Behaviour): Promise<void> {
    const seq = ++this.#seq;
    const model = ex.rec.model ?? 'mock-model';
    const headers = { 'x-request-id': `req_mock_${seq}`, ...b.headers };
    const withFinish = (r: Reply): Reply =>
      b.finishReason && !r.toolCalls.length ? { ...r, finish: b.finishReason } : r;

    if (route.dialect === 'ollama') {
      const createdAt = new Date().toISOString();
      const stream = body.stream !== false;
      switch (route.endpoint) {
        case 'models':
          return this.#send(ex, 200, ollamaTags(this.#options.models ?? DEFAULT_MODELS), headers);
        case 'embeddings': {
          const dims = typeof body.dimensions === 'number' ? body.dimensions : undefined;
          return this.#send(ex, 200, ollamaEmbed(body.input, model, dims), headers);
        }
        case 'chat': {
          const think = body.think !== undefined && body.think !== false;
          const r = withFinish(chatReply(body, { think, ...(b.reply === undefined ? {} : { override: b.reply }) }));
          if (!stream) return this.#send(ex, 200, ollamaChat(r, model, createdAt), headers);
          return this.#stream(ex, 'ollama', ollamaChatLines(r, model, createdAt, b.chunks), b, headers);
        }
        case 'completions': {
          const r = withFinish(completionReply(body.prompt, b.reply));
          if (!stream) return this.#send(ex, 200, ollamaGenerate(r, model, createdAt), headers);
          return this.#stream(ex, 'ollama', ollamaGenerateLines(r, model, createdAt, b.chunks), b, headers);
        }
      }
    }

    const env: Envelope = {
      id: `${route.endpoint === 'chat' ? 'chatcmpl' : 'cmpl'}-mock${seq}`,
      model,
      created: Math.floor(Date.now() / 1000),
      dialect: route.dialect,
      ...(this.#options.reasoningField ? { reasoningField: this.#options.reasoningField } : {}),
    };
    const stream = body.stream === true;
    const options = body.stream_options as { include_usage?: unknown } | null | undefined;
    const streamOpts = {
      includeUsage: options?.include_usage === true,
      ...(b.chunks === undefined ? {} : { chunks: b.chunks }),
    };
    switch (route.endpoint) {
      case 'models':
        return this.#send(ex, 200, modelList(this.#options.models ?? DEFAULT_MODELS), headers);
      case 'embeddings': {
        const opts = {
          base64: body.encoding_format === 'base64',
          ...(typeof body.dimensions === 'number' ? { dimensions: body.dimensions } : {}),
        };
        return this.#send(ex, 200, embeddingList(body.input, model, opts), headers);
      }
      case 'chat': {
        const think = b.think === true || THINK_SWITCHES.some((field) => body[field] !== undefined);
        const r = withFinish(chatReply(body, { think, ...(b.reply === undefined ? {} : { override: b.reply }) }));
        if (!stream) return this.#send(ex, 200, chatCompletion(r, env), headers, b);
        return this.#stream(ex, route.dialect, chatChunks(r, env, streamOpts), b, headers);
      }
      case 'completions': {
        const r = withFinish(completionReply(body.prompt, b.reply));
        if (!stream) return this.#send(ex, 200, textCompletion(r, env), headers);
        return this.#stream(ex, route.dialect, textCompletionChunks(r, env, streamOpts), b, headers);
      }
    }
  }

  async #answerPlugged(
    ex: Exchange,
    dialect: MockDialect,
    route: MockRoute,
    text: string,
    body: Record<string, unknown>,
    b: Behaviour,
  ): Promise<void> {
    const { rec } = ex;
    const answer = dialect.answer({
      route,
      method: rec.method,
      path: rec.path,
      query: rec.query,
      headers: rec.headers,
      text,
      body,
      key: rec.key,
      model: rec.model,
      seq: ++this.#seq,
      keys: this.#options.keys,
      models: this.#options.models,
      ...(b.reply === undefined ? {} : { reply: b.reply }),
      ...(b.chunks === undefined ? {} : { chunks: b.chunks }),
      ...(b.finishReason === undefined ? {} : { finishReason: b.finishReason }),
    });
    const headers = { ...answer.headers, ...b.headers };
    if ('json' in answer) return this.#send(ex, answer.status ?? 200, answer.json, headers, b);
    const frames = {
      messages: answer.stream,
      error: (m: string) => dialect.streamError(m),
      contentType: answer.contentType,
    };
    return this.#writeFrames(ex, frames, b, headers);
  }

  /** Sends a whole body; in two halves, paced and faulted like stream messages, when `b` asks for that. */
  #send(
    ex: Exchange,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    b?: Behaviour,
  ): Promise<void> | undefined {
    if (ex.signal.aborted) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
    if (paced(b)) {
      const half = Math.ceil(text.length / 2);
      const messages = [text.slice(0, half), text.slice(half)];
      return this.#writeFrames(ex, { messages, error: () => '', contentType: type, status }, b!, headers);
    }
    ex.rec.status = status;
    ex.res.writeHead(status, { 'content-type': type, ...headers });
    ex.res.end(text);
  }

  /** Writes stream messages (SSE for OpenAI and Azure, NDJSON for Ollama) with the behaviour's pacing and faults. */
  #stream(ex: Exchange, dialect: Dialect, messages: unknown[], b: Behaviour, headers: Record<string, string>) {
    const sse = dialect !== 'ollama';
    const frame = (payload: unknown) => (sse ? `data: ${JSON.stringify(payload)}\n\n` : `${JSON.stringify(payload)}\n`);
    const framed: (string | Uint8Array)[] = messages.map(frame);
    if (sse) framed.push('data: [DONE]\n\n');
    return this.#writeFrames(
      ex,
      {
        messages: framed,
        error: (message) => frame(streamErrorPayload(dialect, message)),
        contentType: sse ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson',
      },
      b,
      headers,
    );
  }

  /** Writes framed stream messages with the behaviour's pacing, cuts and in-stream errors. */
  async #writeFrames(ex: Exchange, frames: Frames, b: Behaviour, headers: Record<string, string>): Promise<void> {
    if (ex.signal.aborted) return;
    const { messages } = frames;
    ex.rec.status = frames.status ?? 200;
    ex.res.writeHead(ex.rec.status, { 'content-type': frames.contentType, 'cache-control': 'no-cache', ...headers });
    ex.res.flushHeaders();
    for (let i = 0; i <= messages.length; i++) {
      if (b.cutAfterChunks === i) {
        ex.cut = true;
        ex.res.destroy();
        return;
      }
      if (b.stallAfterChunks === i) {
        if (!ex.signal.aborted)
          await new Promise((resolve) => ex.signal.addEventListener('abort', resolve, { once: true }));
        return;
      }
      if (b.truncateAfterChunks === i && i < messages.length) {
        const message = messages[i]!;
        await this.#write(ex, message.slice(0, Math.floor(message.length / 2)));
        ex.res.end();
        return;
      }
      if (b.endAfterChunks === i) break;
      if (b.errorAfterChunks === i) {
        await this.#write(ex, frames.error(b.errorMessage ?? 'an error was encountered while running the model'));
        ex.res.end();
        return;
      }
      if (i === messages.length) break;
      if (i > 0 && b.chunkDelayMs && !(await this.#pause(ex, b.chunkDelayMs))) return;
      if (!(await this.#write(ex, messages[i]!))) return;
      ex.rec.sent++;
    }
    ex.res.end();
  }

  /** Writes and waits until the bytes are handed to the socket; false when the connection is gone. */
  #write(ex: Exchange, text: string | Uint8Array): Promise<boolean> {
    if (ex.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      ex.signal.addEventListener('abort', onAbort, { once: true });
      ex.res.write(text, (err) => {
        ex.signal.removeEventListener('abort', onAbort);
        resolve(!err);
      });
    });
  }

  /** Sleeps unless the connection closes first; false when it did. */
  async #pause(ex: Exchange, ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: ex.signal });
      return true;
    } catch {
      return false;
    }
  }
}

export async function startMockUpstream(options: MockOptions = {}): Promise<MockUpstream> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return new MockUpstream(server, `http://127.0.0.1:${port}`, options);
}

/** Upstream body bytes as a socket delivers them: in small pieces, so lines and characters straddle chunk boundaries. */
export async function* upstreamBytes(text: string, size = 7): AsyncIterable<Uint8Array> {
  const all = new TextEncoder().encode(text);
  for (let i = 0; i < all.length; i += size) yield all.subarray(i, i + size);
}

/** Everything an async iterable yields, e.g. a decoder's events. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
