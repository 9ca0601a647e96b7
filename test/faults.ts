/**
 * For the fault-injection and client-disconnect suites: the roads a request can take (inbound format × upstream
 * dialect), a raw HTTP client that reads each format's answers and error events, the usage log of a request, and the
 * checks every case ends with — no unhandled rejection, no socket or upstream request left behind.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { ConfigInput } from '../src/config/schema.ts';
import { countedUsage } from '../src/formats/token-count.ts';
import type { RunningGateway } from './harness.ts';
import { CLIENT_KEY } from './harness.ts';
import type { MockUpstream } from './mock-upstream.ts';

type ProviderInput = NonNullable<ConfigInput['providers']>[number];

export type Inbound = 'openai' | 'anthropic' | 'gemini';
export type UpstreamType = 'openai' | 'anthropic' | 'gemini';

/** One way through the gateway: what the client speaks, and what the upstream speaks. */
export interface Road {
  name: string;
  inbound: Inbound;
  upstream: UpstreamType;
}

export const ROADS: readonly Road[] = [
  { name: 'OpenAI → openai (pass-through)', inbound: 'openai', upstream: 'openai' },
  { name: 'Anthropic → anthropic (native pass-through)', inbound: 'anthropic', upstream: 'anthropic' },
  { name: 'Anthropic → openai (converted)', inbound: 'anthropic', upstream: 'openai' },
  { name: 'OpenAI → anthropic (converted)', inbound: 'openai', upstream: 'anthropic' },
  { name: 'Gemini → gemini (converted)', inbound: 'gemini', upstream: 'gemini' },
];

/** The upstream model each dialect's deployments name. */
export const UPSTREAM_MODEL: Record<UpstreamType, string> = {
  openai: 'gpt-4o-mini',
  anthropic: 'claude-sonnet-4-6',
  gemini: 'gemini-2.5-flash',
};

/** A port nothing listens on (taken from the OS, then released). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A provider's base URL on a mock's origin, as its type expects it. */
export function baseUrl(type: UpstreamType, origin: string): string {
  return type === 'openai' ? `${origin}/v1` : origin;
}

/**
 * Per upstream type, the models a case asks for:
 * `<type>`: the faulty deployment (key `sk-faulty`, tried first) with a healthy one behind it (key `sk-healthy`);
 * `<type>-solo`: the faulty deployment alone; `<type>-dead`: a port nobody listens on, then the healthy one;
 * `<type>-dead-solo`: the dead port alone. The faulty and dead deployments time out after `timeout`.
 */
export function faultProviders(mockUrl: string, deadUrl: string, timeout: string): ProviderInput[] {
  const providers: ProviderInput[] = [];
  for (const type of ['openai', 'anthropic', 'gemini'] as const) {
    const upstream = UPSTREAM_MODEL[type];
    const map = (...names: string[]) => Object.fromEntries(names.map((n) => [n, upstream]));
    providers.push(
      {
        name: `${type}-bad`,
        type,
        base_url: baseUrl(type, mockUrl),
        keys: ['sk-faulty'],
        model_map: map(type, `${type}-solo`),
        priority: 0,
        limits: { timeout },
      },
      {
        name: `${type}-good`,
        type,
        base_url: baseUrl(type, mockUrl),
        keys: ['sk-healthy'],
        model_map: map(type, `${type}-dead`),
        priority: 1,
      },
      {
        name: `${type}-dead`,
        type,
        base_url: baseUrl(type, deadUrl),
        keys: ['sk-dead'],
        model_map: map(`${type}-dead`, `${type}-dead-solo`),
        priority: 0,
        limits: { timeout },
      },
    );
  }
  return providers;
}

/** Every key of faultProviders, to turn back on before each case (a 429 cools a key down). */
export const FAULT_KEY_IDS = ['openai', 'anthropic', 'gemini'].flatMap((t) =>
  ['bad', 'good', 'dead'].map((k) => `${t}-${k}/key#1`),
);

/** Prices for the models clients ask for, so a delivered answer costs something. */
export function faultPrices(): Record<string, { input: number; output: number }> {
  const prices: Record<string, { input: number; output: number }> = {};
  for (const type of ['openai', 'anthropic', 'gemini']) {
    for (const suffix of ['', '-solo', '-dead', '-dead-solo']) prices[`${type}${suffix}`] = { input: 1, output: 1 };
  }
  return prices;
}

export const QUESTION = 'one two three four five six';

/** The path and body of a chat request in the inbound format. */
export function chatRequest(
  inbound: Inbound,
  model: string,
  stream: boolean,
  text = QUESTION,
): { path: string; body: Record<string, unknown>; headers: Record<string, string> } {
  switch (inbound) {
    case 'openai':
      return {
        path: '/v1/chat/completions',
        body: { model, stream, messages: [{ role: 'user', content: text }] },
        headers: {},
      };
    case 'anthropic':
      return {
        path: '/v1/messages',
        body: { model, stream, max_tokens: 1000, messages: [{ role: 'user', content: text }] },
        headers: { 'anthropic-version': '2023-06-01' },
      };
    case 'gemini':
      return {
        path: `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
        body: { contents: [{ role: 'user', parts: [{ text }] }] },
        headers: {},
      };
  }
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** A raw HTTP request to the gateway on a connection of its own, closed after the answer; the response unread. */
export function open(
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): { response: Promise<IncomingMessage>; destroy(): void } {
  const req = httpRequest(`${url}${path}`, {
    method: 'POST',
    agent: false,
    headers: {
      authorization: `Bearer ${CLIENT_KEY}`,
      'content-type': 'application/json',
      connection: 'close',
      ...headers,
    },
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  req.end(JSON.stringify(body));
  return { response, destroy: () => req.destroy() };
}

/** Reads a response to its end. */
export function readAll(res: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () =>
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
    );
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('aborted')));
    res.resume(); // also after an explicit pause(), which a 'data' listener alone does not undo
  });
}

/**
 * A raw HTTP request to the gateway on a connection of its own (closed after the answer: nothing of the client stays
 * behind to blur the socket count); `destroy` closes that connection at once, `firstByte` resolves when the answer's
 * first body bytes arrive.
 */
export function send(
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): { answer: Promise<Answer>; destroy(): void; firstByte: Promise<void> } {
  const { response, destroy } = open(url, path, body, headers);
  let gotFirstByte = (): void => {};
  const firstByte = new Promise<void>((resolve) => {
    gotFirstByte = resolve;
  });
  const answer = response.then((res) => {
    res.once('data', () => gotFirstByte());
    return readAll(res);
  });
  return { answer, destroy, firstByte };
}

/** A chat request of the road's inbound format. */
export function ask(gateway: RunningGateway, inbound: Inbound, model: string, stream: boolean, text?: string) {
  const { path, body, headers } = chatRequest(inbound, model, stream, text);
  return send(gateway.url, path, body, headers);
}

/** One SSE event: its `event:` name (if any) and its data. */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

export function sseEvents(text: string): SseEvent[] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      return { event, data: data.join('\n') };
    });
}

/** The text an answer carries (whole or streamed), in the inbound format. */
export function answerText(inbound: Inbound, stream: boolean, text: string): string {
  if (!stream) {
    const body = JSON.parse(text) as unknown;
    if (inbound === 'openai')
      return (body as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
    if (inbound === 'anthropic') return (body as { content: { text: string }[] }).content.map((b) => b.text).join('');
    return (body as { candidates: { content: { parts: { text: string }[] } }[] }).candidates[0]!.content.parts.map(
      (p) => p.text,
    ).join('');
  }
  let out = '';
  for (const { data } of sseEvents(text)) {
    if (data === '[DONE]') continue;
    const payload = JSON.parse(data) as unknown;
    if (inbound === 'openai')
      out += (payload as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content ?? '';
    else if (inbound === 'anthropic') out += (payload as { delta?: { text?: string } }).delta?.text ?? '';
    else {
      const parts = (payload as { candidates?: { content?: { parts?: { text?: string }[] } }[] }).candidates?.[0]
        ?.content?.parts;
      out += (parts ?? []).map((p) => p.text ?? '').join('');
    }
  }
  return out;
}

/** The stream ended as a complete answer does in the inbound format (and carries no error event). */
export function endedCleanly(inbound: Inbound, text: string): boolean {
  const events = sseEvents(text);
  const last = events.at(-1);
  if (!last || events.some((e) => e.event === 'error' || e.data.includes('"error"'))) return false;
  if (inbound === 'openai') return last.data === '[DONE]';
  if (inbound === 'anthropic') return last.event === 'message_stop';
  return (
    (JSON.parse(last.data) as { candidates?: { finishReason?: string }[] }).candidates?.[0]?.finishReason !== undefined
  );
}

/**
 * The error event a started stream ends with, in the inbound format (OpenAI: `data: {"error":…}` then `[DONE]`;
 * Anthropic: `event: error`; Gemini: a `{"error":…}` chunk), as `{ message }`; undefined when the stream does not end
 * so. Every event before it must be whole JSON: a half event glued to the error would break real clients' parsers.
 */
export function streamErrorOf(inbound: Inbound, text: string): { message: string } | undefined {
  const events = sseEvents(text);
  for (const e of events) if (e.data !== '[DONE]') JSON.parse(e.data);
  if (inbound === 'openai') {
    if (events.at(-1)?.data !== '[DONE]') return undefined;
    const error = (JSON.parse(events.at(-2)?.data ?? '{}') as { error?: { message: string; type: string } }).error;
    return error && typeof error.type === 'string' ? { message: error.message } : undefined;
  }
  const last = events.at(-1);
  if (!last) return undefined;
  if (inbound === 'anthropic') {
    const parsed = JSON.parse(last.data) as { type?: string; error?: { type: string; message: string } };
    return last.event === 'error' && parsed.type === 'error' && parsed.error
      ? { message: parsed.error.message }
      : undefined;
  }
  const error = (JSON.parse(last.data) as { error?: { code: number; message: string; status: string } }).error;
  return error && typeof error.code === 'number' && typeof error.status === 'string'
    ? { message: error.message }
    : undefined;
}

/** An error answer (before any byte of an answer) in the inbound format, as `{ message }`; throws when it is not. */
export function errorBodyOf(inbound: Inbound, text: string): { message: string; type: string } {
  const body = JSON.parse(text) as unknown;
  if (inbound === 'openai') {
    const { error } = body as { error: { message: string; type: string; code: string | null } };
    if (typeof error?.message !== 'string' || typeof error.type !== 'string') throw new Error(`not OpenAI's: ${text}`);
    return error;
  }
  if (inbound === 'anthropic') {
    const { type, error } = body as { type: string; error: { type: string; message: string } };
    if (type !== 'error' || typeof error?.message !== 'string') throw new Error(`not Anthropic's: ${text}`);
    return error;
  }
  const { error } = body as { error: { code: number; message: string; status: string } };
  if (typeof error?.code !== 'number' || typeof error.status !== 'string') throw new Error(`not Gemini's: ${text}`);
  return { message: error.message, type: error.status };
}

/** The usage log of a request (its `x-request-id`), once the writer has written it. */
export async function usageLogOf(gateway: RunningGateway, requestId: string) {
  await gateway.gw.usage.flush();
  return gateway.gw.store.db
    .selectFrom('usage_logs')
    .selectAll()
    .where('request_id', '=', requestId)
    .executeTakeFirstOrThrow();
}

/** Collects unhandled rejections and uncaught exceptions while installed. */
export class UnhandledCollector {
  readonly seen: unknown[] = [];
  private readonly onError = (err: unknown): void => {
    this.seen.push(err);
  };

  install(): void {
    process.on('unhandledRejection', this.onError);
    process.on('uncaughtException', this.onError);
  }

  uninstall(): void {
    process.off('unhandledRejection', this.onError);
    process.off('uncaughtException', this.onError);
  }
}

function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

/** Requests and connections of the gateway's upstream pools, from undici's own counters. */
function poolStats(gateway: RunningGateway): { connected: number; running: number; pending: number } {
  const sum = { connected: 0, running: 0, pending: 0 };
  // The pools are private to Upstreams: read here only, to see the gateway's side of each upstream connection.
  const pools = (gateway.gw.upstreams as unknown as { dispatchers: Map<string, Dispatcher & { stats?: unknown }> })
    .dispatchers;
  for (const pool of pools.values()) {
    const stats = pool.stats as { connected?: number; running?: number; pending?: number } | undefined;
    sum.connected += stats?.connected ?? 0;
    sum.running += stats?.running ?? 0;
    sum.pending += stats?.pending ?? 0;
  }
  return sum;
}

/**
 * Socket accounting for a process that holds a gateway, its mock upstream and raw clients (one connection each,
 * closed after the answer). At rest, the only connections are the gateway's idle keep-alive ones to the mock: its
 * pools hold as many as the mock sees, neither side has a request running, and the process's active TCP sockets are
 * the mock's ends of them (undici unrefs an idle pool socket, so the gateway's ends are not among the active
 * resources; a busy one is). An upstream request the gateway never finished or aborted, a socket either side left
 * open, or a client connection the gateway never closed breaks one of these.
 */
export class LeakCheck {
  private baseline = 0;
  private readonly pairs: { gateway: RunningGateway; mock: MockUpstream }[] = [];

  constructor(gateway: RunningGateway, mock: MockUpstream) {
    this.pairs.push({ gateway, mock });
  }

  /** Takes the count of TCP sockets that belong to neither (call before any request). */
  start(): void {
    this.baseline = tcpSockets() - this.pairs.reduce((n, p) => n + p.mock.connections, 0);
  }

  /** Accounts for another gateway and its mock too (started after `start`, before any request to them). */
  add(gateway: RunningGateway, mock: MockUpstream): () => void {
    const pair = { gateway, mock };
    this.pairs.push(pair);
    return () => this.pairs.splice(this.pairs.indexOf(pair), 1);
  }

  /** What is wrong now (empty when nothing). */
  problems(): string[] {
    const out: string[] = [];
    let connections = 0;
    for (const { gateway, mock } of this.pairs) {
      const pools = poolStats(gateway);
      if (mock.inFlight !== 0) out.push(`${mock.inFlight} upstream request(s) still open at the mock`);
      if (pools.running + pools.pending !== 0)
        out.push(`${pools.running + pools.pending} request(s) still held by the gateway's upstream pools`);
      if (pools.connected !== mock.connections)
        out.push(`gateway pools hold ${pools.connected} connection(s), the mock ${mock.connections}`);
      connections += mock.connections;
    }
    const expected = this.baseline + connections;
    const sockets = tcpSockets();
    if (sockets !== expected) out.push(`${sockets} TCP sockets open, ${expected} expected`);
    return out;
  }

  /** Waits (up to `ms`) for the process to be back at rest; returns what is still wrong. */
  async settle(ms = 1_000): Promise<string[]> {
    const deadline = Date.now() + ms;
    let problems = this.problems();
    while (problems.length && Date.now() < deadline) {
      await sleep(5);
      problems = this.problems();
    }
    return problems;
  }
}

/** What `faultSuite` started, for the cases to use (set before the first case). */
export interface FaultSuite {
  gateway: RunningGateway;
  mock: MockUpstream;
  leaks: LeakCheck;
}

/**
 * The hooks both suites share: the gateway and its mock started (by `start`) and closed, the mock reset before every
 * case, and every case ending with no socket or upstream request left behind and no unhandled rejection.
 */
export function faultSuite(start: () => Promise<{ gateway: RunningGateway; mock: MockUpstream }>): FaultSuite {
  const suite = {} as FaultSuite;
  const unhandled = new UnhandledCollector();
  beforeAll(async () => {
    unhandled.install();
    // The tokenizer (which bills a cut stream) builds its tables on first use, for a second or two of CPU that would
    // stall the case (and a measured disconnect) it fell in.
    countedUsage({ model: 'm', messages: [{ role: 'user', content: 'up' }], stream: false, includeUsage: false }, 'up');
    Object.assign(suite, await start());
    suite.leaks = new LeakCheck(suite.gateway, suite.mock);
    suite.leaks.start();
  });
  afterAll(async () => {
    await suite.gateway?.close();
    await suite.mock?.close();
    unhandled.uninstall();
  });
  beforeEach(() => suite.mock.reset());
  afterEach(async () => {
    expect(await suite.leaks.settle()).toEqual([]);
    expect(unhandled.seen).toEqual([]);
  });
  return suite;
}
