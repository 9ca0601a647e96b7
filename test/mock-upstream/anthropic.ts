/**
 * Anthropic's dialect for the mock upstream: `POST /v1/messages` (stream and not), `/v1/messages/count_tokens` and
 * the Models API (`GET /v1/models`, paged by `limit` and `after_id`), with `x-api-key`, in Anthropic's shapes and
 * event order. Replies come from the shared chatReply (echo, `call <tool>
 * {json}`, `tool result: …`); thinking when `thinking.type` is enabled, signed `mock-signature-<n>`, and a history's
 * thinking block must carry a signature this mock issued. A system prompt is "cached": its words count as cache
 * writes the first time the mock sees it, as cache reads after.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { MockAnswer, MockDialect, MockExchange, MockRoute } from './dialect.ts';
import { chatReply, pieces, type Reply, wordCount } from './wire.ts';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const MESSAGES: Record<number, string> = {
  401: 'invalid x-api-key',
  403: 'Your API key does not have permission to use the specified resource.',
  429: 'Number of request tokens has exceeded your per-minute rate limit',
  500: 'Internal server error',
  529: 'Overloaded',
};

function anthropicError(status: number, message?: string): Record<string, unknown> {
  return {
    type: 'error',
    error: {
      type: ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'),
      message: message ?? MESSAGES[status] ?? `Mock upstream error ${status}`,
    },
  };
}

const refuse = (status: number, message?: string): MockAnswer => ({ status, json: anthropicError(status, message) });

interface Block {
  type?: string;
  text?: string;
  content?: unknown;
  signature?: string;
  cache_control?: unknown;
}
interface Turn {
  role?: string;
  content?: string | Block[];
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as Block[])
    .filter((b) => b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text)
    .join(' ');
}

function systemText(system: unknown): string {
  return typeof system === 'string' ? system : textOf(system);
}

/** The request in the OpenAI-like shape the shared reply logic reads: a user turn of tool results is a tool message. */
function replyInput(body: Record<string, unknown>): Record<string, unknown> {
  const turns = (Array.isArray(body.messages) ? body.messages : []) as Turn[];
  const messages = turns.map((t) => {
    const results = Array.isArray(t.content) ? t.content.filter((b) => b.type === 'tool_result') : [];
    if (t.role === 'user' && results.length) {
      return { role: 'tool', content: results.map((r) => textOf(r.content)).join(' ') };
    }
    return { role: t.role, content: textOf(t.content) };
  });
  const system = systemText(body.system);
  if (system) messages.unshift({ role: 'system', content: system });
  const tools = ((body.tools ?? []) as { name?: string }[]).map((t) => ({ function: { name: t.name } }));
  return { messages, tools };
}

/** A history's thinking block must carry a signature this mock issued, as Anthropic checks its own. */
function badSignature(turns: Turn[]): string | undefined {
  for (const [i, t] of turns.entries()) {
    if (!Array.isArray(t.content)) continue;
    for (const [j, b] of t.content.entries()) {
      if (b.type !== 'thinking') continue;
      if (typeof b.signature !== 'string') return `messages.${i}.content.${j}.thinking.signature: Field required`;
      if (!b.signature.startsWith('mock-signature-'))
        return `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`;
    }
  }
  return undefined;
}

const seenSystems = new Set<string>();

interface Counts {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

function counts(r: Reply, body: Record<string, unknown>, outputTokens: number): Counts {
  const system = systemText(body.system);
  const cached = wordCount(system);
  const read = cached && seenSystems.has(system) ? cached : 0;
  seenSystems.add(system);
  return {
    input_tokens: r.promptTokens - cached,
    cache_creation_input_tokens: cached - read,
    cache_read_input_tokens: read,
    output_tokens: outputTokens,
  };
}

const STOP: Record<Reply['finish'], string> = {
  stop: 'end_turn',
  tool_calls: 'tool_use',
  length: 'max_tokens',
  content_filter: 'refusal',
};

function sse(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

function chatAnswer(ex: MockExchange): MockAnswer {
  const body = ex.body;
  if (typeof body.max_tokens !== 'number') return refuse(400, 'max_tokens: Field required');
  const turns = (Array.isArray(body.messages) ? body.messages : []) as Turn[];
  if (!turns.length) return refuse(400, 'messages: at least one message is required');
  const unsigned = badSignature(turns);
  if (unsigned) return refuse(400, unsigned);
  const thinking = body.thinking as { type?: string; budget_tokens?: number } | undefined;
  const think = thinking?.type === 'enabled';
  if (think && (thinking.budget_tokens ?? 0) >= body.max_tokens) {
    return refuse(400, '`max_tokens` must be greater than `thinking.budget_tokens`.');
  }
  if (think && body.temperature !== undefined && body.temperature !== 1) {
    return refuse(400, '`temperature` may only be set to 1 when thinking is enabled.');
  }
  const reply = chatReply(replyInput(body), { think, ...(ex.reply === undefined ? {} : { override: ex.reply }) });
  if (ex.finishReason && !reply.toolCalls.length) reply.finish = ex.finishReason;
  let stopReason = STOP[reply.finish];
  let stopSequence: string | null = null;
  for (const stop of (body.stop_sequences ?? []) as string[]) {
    const at = reply.text.indexOf(stop);
    if (stop && at !== -1) {
      reply.text = reply.text.slice(0, at);
      stopReason = 'stop_sequence';
      stopSequence = stop;
      break;
    }
  }
  const signature = `mock-signature-${ex.seq}`;
  const usage = counts(reply, body, reply.completionTokens);
  const id = `msg_mock_${ex.seq}`;
  const model = ex.model ?? 'claude-mock';
  const toolId = (i: number): string => `toolu_mock_${ex.seq}_${i}`;
  if (body.stream !== true) {
    const content: Record<string, unknown>[] = [];
    if (reply.reasoning) content.push({ type: 'thinking', thinking: reply.reasoning, signature });
    if (reply.text) content.push({ type: 'text', text: reply.text });
    for (const [i, c] of reply.toolCalls.entries()) {
      content.push({ type: 'tool_use', id: toolId(i), name: c.name, input: JSON.parse(c.arguments) });
    }
    return {
      json: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content,
        stop_reason: stopReason,
        stop_sequence: stopSequence,
        usage: { ...usage, service_tier: 'standard' },
      },
    };
  }
  const frames: string[] = [
    sse('message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }),
  ];
  let index = 0;
  const block = (start: Record<string, unknown>, deltas: Record<string, unknown>[]): void => {
    frames.push(sse('content_block_start', { index, content_block: start }));
    if (index === 0) frames.push(sse('ping', {}));
    for (const delta of deltas) frames.push(sse('content_block_delta', { index, delta }));
    frames.push(sse('content_block_stop', { index }));
    index++;
  };
  if (reply.reasoning) {
    block({ type: 'thinking', thinking: '', signature: '' }, [
      ...pieces(reply.reasoning, ex.chunks).map((thinking) => ({ type: 'thinking_delta', thinking })),
      { type: 'signature_delta', signature },
    ]);
  }
  if (reply.text) {
    block(
      { type: 'text', text: '' },
      pieces(reply.text, ex.chunks).map((text) => ({ type: 'text_delta', text })),
    );
  }
  for (const [i, c] of reply.toolCalls.entries()) {
    block(
      { type: 'tool_use', id: toolId(i), name: c.name, input: {} },
      ['', ...pieces(c.arguments, ex.chunks ?? 3)].map((partial_json) => ({ type: 'input_json_delta', partial_json })),
    );
  }
  frames.push(
    sse('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: stopSequence },
      usage: { output_tokens: usage.output_tokens },
    }),
    sse('message_stop', {}),
  );
  return { stream: frames, contentType: 'text/event-stream; charset=utf-8' };
}

function countAnswer(ex: MockExchange): MockAnswer {
  const reply = chatReply(replyInput(ex.body));
  return { json: { input_tokens: reply.promptTokens } };
}

/** The Models API: newest first, `limit` per page (default 20, at most 1000), continuing `after_id` the last one. */
function modelsAnswer(ex: MockExchange): MockAnswer {
  const limit = Number(ex.query.limit ?? 20);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    return refuse(400, 'limit: Input should be less than or equal to 1000');
  }
  const all = ex.models ?? DEFAULT_MODELS;
  const start = ex.query.after_id === undefined ? 0 : all.indexOf(ex.query.after_id) + 1;
  const page = all.slice(start, start + limit);
  return {
    json: {
      data: page.map((id, i) => ({
        type: 'model',
        id,
        display_name: id,
        created_at: new Date(Date.UTC(2025, 0, 1) - (start + i) * 86_400_000).toISOString(),
      })),
      has_more: start + limit < all.length,
      first_id: page[0] ?? null,
      last_id: page.at(-1) ?? null,
    },
  };
}

const DEFAULT_MODELS = ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001', 'claude-opus-4-1-20250805'];

const ROUTES: Record<string, MockRoute> = {
  'POST /v1/messages': { endpoint: 'chat' },
  'POST /v1/messages/count_tokens': { endpoint: 'count_tokens' },
  'GET /v1/models': { endpoint: 'models' },
};

export const anthropic: MockDialect = {
  name: 'anthropic',
  route(method, path, _query, headers) {
    // OpenAI's model list has the same path: Anthropic's requests carry anthropic-version.
    if (path === '/v1/models' && headers['anthropic-version'] === undefined) return undefined;
    return Object.hasOwn(ROUTES, `${method} ${path}`) ? ROUTES[`${method} ${path}`] : undefined;
  },
  key(headers: IncomingHttpHeaders) {
    const key = headers['x-api-key'];
    return typeof key === 'string' ? key : undefined;
  },
  errorBody: anthropicError,
  streamError: (message) => sse('error', { error: { type: 'overloaded_error', message } }),
  answer(ex) {
    if (ex.key === undefined) return refuse(401, 'x-api-key header is required');
    if (ex.keys && !ex.keys.includes(ex.key)) return refuse(401);
    if (typeof ex.headers['anthropic-version'] !== 'string') {
      return refuse(400, 'anthropic-version: header is required');
    }
    if (ex.route.endpoint === 'models') return modelsAnswer(ex);
    if (ex.models && (ex.model === undefined || !ex.models.includes(ex.model))) {
      return refuse(404, `model: ${ex.model ?? ''}`);
    }
    return ex.route.endpoint === 'count_tokens' ? countAnswer(ex) : chatAnswer(ex);
  },
};
