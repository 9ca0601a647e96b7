/** What the mock upstream answers: deterministic replies built from a request, in OpenAI, Azure and Ollama wire shapes. */

export type Dialect = 'openai' | 'azure' | 'ollama';
export type Finish = 'stop' | 'length' | 'content_filter';

export interface MockToolCall {
  id: string;
  name: string;
  /** JSON text. */
  arguments: string;
}

/** The answer to one request, before it is put in a wire shape. */
export interface Reply {
  text: string;
  reasoning?: string;
  toolCalls: MockToolCall[];
  promptTokens: number;
  completionTokens: number;
  finish: Finish | 'tool_calls';
}

interface WireMessage {
  role?: unknown;
  content?: unknown;
}

export function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** The text of an OpenAI or Ollama message's content: a string, or the text of its parts. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: { type?: unknown; text?: unknown }) =>
      part.type === 'text' && typeof part.text === 'string' ? part.text : '',
    )
    .filter(Boolean)
    .join(' ');
}

function toolNames(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  return tools
    .map((t: { function?: { name?: unknown } }) => t.function?.name)
    .filter((n): n is string => typeof n === 'string');
}

const CALL = /\bcall\s+([\w.-]+)(?:\s+(\{[\s\S]*\}))?/;

/**
 * The reply to a chat request. After a tool result: `tool result: <content>`. When tools were offered and the last user
 * turn says `call <tool> [{json}]`: a call of that tool with those arguments (or `{}`). Otherwise `echo: <last user
 * text>`, or `override`. Prompt tokens are the words of all turns; completion tokens the words of the reply.
 */
export function chatReply(body: Record<string, unknown>, opts: { override?: string; think?: boolean } = {}): Reply {
  const messages = (Array.isArray(body.messages) ? body.messages : []) as WireMessage[];
  const promptTokens = messages.reduce((n, m) => n + wordCount(contentText(m.content)), 0);
  const last = messages.at(-1);
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const userText = contentText(lastUser?.content);
  const reply: Reply = { text: '', toolCalls: [], promptTokens, completionTokens: 0, finish: 'stop' };
  const call = CALL.exec(userText);
  if (opts.override !== undefined) {
    reply.text = opts.override;
  } else if (last?.role === 'tool') {
    reply.text = `tool result: ${contentText(last.content)}`;
  } else if (call?.[1] && toolNames(body.tools).includes(call[1])) {
    let args = '{}';
    if (call[2]) {
      try {
        args = JSON.stringify(JSON.parse(call[2]));
      } catch {
        args = '{}';
      }
    }
    reply.toolCalls.push({ id: 'call_mock_0', name: call[1], arguments: args });
    reply.finish = 'tool_calls';
  } else {
    reply.text = `echo: ${userText}`;
  }
  if (opts.think) reply.reasoning = `thinking about: ${userText}`;
  reply.completionTokens =
    wordCount(reply.text) +
    wordCount(reply.reasoning ?? '') +
    reply.toolCalls.reduce((n, c) => n + wordCount(`${c.name} ${c.arguments}`), 0);
  return reply;
}

export function completionReply(prompt: unknown, override?: string): Reply {
  const text = typeof prompt === 'string' ? prompt : Array.isArray(prompt) ? String(prompt[0] ?? '') : '';
  const answer = override ?? `echo: ${text}`;
  return {
    text: answer,
    toolCalls: [],
    promptTokens: wordCount(text),
    completionTokens: wordCount(answer),
    finish: 'stop',
  };
}

/** A reply split for streaming: word by word (spaces kept), or into `n` nearly equal pieces. */
export function pieces(text: string, n?: number): string[] {
  if (text === '') return [];
  if (n === undefined) return text.match(/\s*\S+\s*/g) ?? [text];
  const size = Math.ceil(text.length / Math.max(1, n));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** A deterministic vector for a text; its values are exact in float32, so base64 round trips compare equal. */
export function vectorFor(text: string, dimensions = 8): number[] {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return Array.from({ length: dimensions }, (_, i) => ((Math.imul(h, i + 1) >>> 0) % 2048) / 1024 - 1);
}

export function float32Base64(vector: readonly number[]): string {
  const buf = Buffer.alloc(vector.length * 4);
  for (const [i, v] of vector.entries()) buf.writeFloatLE(v, i * 4);
  return buf.toString('base64');
}

// ---- OpenAI and Azure ----

const SAFE = { filtered: false, severity: 'safe' };
const FILTER_RESULTS = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
const PROMPT_FILTER = [
  { prompt_index: 0, content_filter_results: { ...FILTER_RESULTS, jailbreak: { filtered: false, detected: false } } },
];

function usageJson(r: Reply): Record<string, unknown> {
  return {
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    total_tokens: r.promptTokens + r.completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  };
}

function wireToolCalls(r: Reply): Record<string, unknown>[] {
  return r.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
}

export interface Envelope {
  id: string;
  model: string;
  created: number;
  dialect: Dialect;
  /** Where reasoning goes: DeepSeek's `reasoning_content` (default) or OpenRouter's and Groq's `reasoning`. */
  reasoningField?: 'reasoning_content' | 'reasoning';
}

export function chatCompletion(r: Reply, env: Envelope): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: r.toolCalls.length ? null : r.text,
    refusal: null,
    annotations: [],
  };
  if (r.toolCalls.length) message.tool_calls = wireToolCalls(r);
  if (r.reasoning) message[env.reasoningField ?? 'reasoning_content'] = r.reasoning;
  const choice: Record<string, unknown> = { index: 0, message, logprobs: null, finish_reason: r.finish };
  if (env.dialect === 'azure') choice.content_filter_results = FILTER_RESULTS;
  const out: Record<string, unknown> = {
    id: env.id,
    object: 'chat.completion',
    created: env.created,
    model: env.model,
    choices: [choice],
    usage: usageJson(r),
    system_fingerprint: 'fp_mock',
  };
  if (env.dialect === 'azure') out.prompt_filter_results = PROMPT_FILTER;
  return out;
}

/** The SSE payloads of a chat stream (without `[DONE]`), as OpenAI sends them; Azure opens with its filter chunk. */
export function chatChunks(r: Reply, env: Envelope, opts: { includeUsage: boolean; chunks?: number }): unknown[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null): Record<string, unknown> => {
    const choice: Record<string, unknown> = { index: 0, delta, logprobs: null, finish_reason: finish };
    if (env.dialect === 'azure') choice.content_filter_results = {};
    const c: Record<string, unknown> = {
      id: env.id,
      object: 'chat.completion.chunk',
      created: env.created,
      model: env.model,
      system_fingerprint: 'fp_mock',
      choices: [choice],
    };
    if (opts.includeUsage) c.usage = null;
    return c;
  };
  const out: unknown[] = [];
  if (env.dialect === 'azure') {
    out.push({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: PROMPT_FILTER });
  }
  for (const piece of pieces(r.reasoning ?? '', opts.chunks)) {
    out.push(chunk({ role: 'assistant', content: null, [env.reasoningField ?? 'reasoning_content']: piece }, null));
  }
  if (r.toolCalls.length) {
    out.push(
      chunk(
        {
          role: 'assistant',
          content: null,
          tool_calls: r.toolCalls.map((c, index) => ({
            index,
            id: c.id,
            type: 'function',
            function: { name: c.name, arguments: '' },
          })),
          refusal: null,
        },
        null,
      ),
    );
    for (const [index, c] of r.toolCalls.entries()) {
      for (const piece of pieces(c.arguments, opts.chunks ?? 1)) {
        out.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null));
      }
    }
  } else {
    out.push(chunk({ role: 'assistant', content: '', refusal: null }, null));
    for (const piece of pieces(r.text, opts.chunks)) out.push(chunk({ content: piece }, null));
  }
  out.push(chunk({}, r.finish));
  if (opts.includeUsage) {
    out.push({
      id: env.id,
      object: 'chat.completion.chunk',
      created: env.created,
      model: env.model,
      system_fingerprint: 'fp_mock',
      choices: [],
      usage: usageJson(r),
    });
  }
  return out;
}

export function textCompletion(r: Reply, env: Envelope): Record<string, unknown> {
  return {
    id: env.id,
    object: 'text_completion',
    created: env.created,
    model: env.model,
    choices: [{ text: r.text, index: 0, logprobs: null, finish_reason: r.finish }],
    usage: usageJson(r),
  };
}

export function textCompletionChunks(
  r: Reply,
  env: Envelope,
  opts: { includeUsage: boolean; chunks?: number },
): unknown[] {
  const chunk = (text: string, finish: string | null, usage?: Record<string, unknown>): Record<string, unknown> => {
    const c: Record<string, unknown> = {
      id: env.id,
      object: 'text_completion',
      created: env.created,
      model: env.model,
      choices: usage ? [] : [{ text, index: 0, logprobs: null, finish_reason: finish }],
    };
    if (opts.includeUsage) c.usage = usage ?? null;
    return c;
  };
  const out: unknown[] = pieces(r.text, opts.chunks).map((p) => chunk(p, null));
  out.push(chunk('', r.finish));
  if (opts.includeUsage) out.push(chunk('', null, usageJson(r)));
  return out;
}

export function embeddingList(
  inputs: unknown,
  model: string,
  opts: { dimensions?: number; base64: boolean },
): Record<string, unknown> {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  const texts = list.map((i) => (typeof i === 'string' ? i : JSON.stringify(i)));
  const promptTokens = list.reduce(
    (n: number, i: unknown) => n + (typeof i === 'string' ? wordCount(i) : Array.isArray(i) ? i.length : 1),
    0,
  );
  return {
    object: 'list',
    data: texts.map((t, index) => {
      const v = vectorFor(t, opts.dimensions);
      return { object: 'embedding', index, embedding: opts.base64 ? float32Base64(v) : v };
    }),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

export function modelList(models: readonly string[]): Record<string, unknown> {
  return {
    object: 'list',
    data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'mock' })),
  };
}

/** An error body as each upstream shapes it. */
export function errorBody(dialect: Dialect, status: number, message?: string): unknown {
  const text = message ?? defaultMessage(status);
  if (dialect === 'ollama') return { error: text };
  if (dialect === 'azure') return { error: { code: String(status), message: text } };
  const [type, code] = OPENAI_ERROR_KINDS[status] ?? ['server_error', null];
  return { error: { message: text, type, param: null, code } };
}

const OPENAI_ERROR_KINDS: Record<number, [string, string | null]> = {
  400: ['invalid_request_error', null],
  401: ['invalid_request_error', 'invalid_api_key'],
  403: ['invalid_request_error', 'unsupported_country_region_territory'],
  404: ['invalid_request_error', 'model_not_found'],
  429: ['requests', 'rate_limit_exceeded'],
};

function defaultMessage(status: number): string {
  switch (status) {
    case 401:
      return 'Incorrect API key provided.';
    case 403:
      return 'Access denied.';
    case 404:
      return 'Resource not found';
    case 429:
      return 'Rate limit reached for requests. Please try again in 1s.';
    case 503:
      return 'The server is overloaded or not ready yet.';
    default:
      return status >= 500 ? 'The server had an error while processing your request.' : `Mock upstream error ${status}`;
  }
}

/** The error a stream carries once it has begun: an SSE `error` payload, or an Ollama error line. */
export function streamErrorPayload(dialect: Dialect, message: string): unknown {
  return dialect === 'ollama'
    ? { error: message }
    : { error: { message, type: 'server_error', param: null, code: null } };
}

// ---- Ollama ----

const DURATIONS = {
  total_duration: 1_000_000,
  load_duration: 100_000,
  prompt_eval_duration: 200_000,
  eval_duration: 700_000,
};

function ollamaCounts(r: Reply): Record<string, unknown> {
  return {
    done_reason: r.finish === 'length' ? 'length' : 'stop',
    ...DURATIONS,
    prompt_eval_count: r.promptTokens,
    eval_count: r.completionTokens,
  };
}

/** Ollama's tool calls carry arguments as objects, and (like its documented examples) no id. */
function ollamaToolCalls(r: Reply): Record<string, unknown>[] {
  return r.toolCalls.map((c, index) => ({ function: { index, name: c.name, arguments: JSON.parse(c.arguments) } }));
}

export function ollamaChat(r: Reply, model: string, createdAt: string): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: r.text };
  if (r.reasoning) message.thinking = r.reasoning;
  if (r.toolCalls.length) message.tool_calls = ollamaToolCalls(r);
  return { model, created_at: createdAt, message, done: true, ...ollamaCounts(r) };
}

/** The NDJSON objects of an /api/chat stream: thinking, then text (or one tool-call line), then the done line. */
export function ollamaChatLines(r: Reply, model: string, createdAt: string, chunks?: number): unknown[] {
  const line = (message: Record<string, unknown>) => ({ model, created_at: createdAt, message, done: false });
  const out: unknown[] = [];
  for (const piece of pieces(r.reasoning ?? '', chunks))
    out.push(line({ role: 'assistant', content: '', thinking: piece }));
  for (const piece of pieces(r.text, chunks)) out.push(line({ role: 'assistant', content: piece }));
  if (r.toolCalls.length) out.push(line({ role: 'assistant', content: '', tool_calls: ollamaToolCalls(r) }));
  out.push({
    model,
    created_at: createdAt,
    message: { role: 'assistant', content: '' },
    done: true,
    ...ollamaCounts(r),
  });
  return out;
}

export function ollamaGenerate(r: Reply, model: string, createdAt: string): Record<string, unknown> {
  return { model, created_at: createdAt, response: r.text, done: true, ...ollamaCounts(r) };
}

export function ollamaGenerateLines(r: Reply, model: string, createdAt: string, chunks?: number): unknown[] {
  const out: unknown[] = pieces(r.text, chunks).map((p) => ({
    model,
    created_at: createdAt,
    response: p,
    done: false,
  }));
  out.push({ model, created_at: createdAt, response: '', done: true, ...ollamaCounts(r) });
  return out;
}

export function ollamaEmbed(inputs: unknown, model: string, dimensions?: number): Record<string, unknown> {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  const texts = list.map((i) => (typeof i === 'string' ? i : JSON.stringify(i)));
  return {
    model,
    embeddings: texts.map((t) => vectorFor(t, dimensions)),
    total_duration: DURATIONS.total_duration,
    load_duration: DURATIONS.load_duration,
    prompt_eval_count: texts.reduce((n, t) => n + wordCount(t), 0),
  };
}

export function ollamaTags(models: readonly string[]): Record<string, unknown> {
  return {
    models: models.map((name) => ({
      name,
      model: name,
      modified_at: '2025-01-01T00:00:00Z',
      size: 1_000_000,
      digest: 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
      details: {
        format: 'gguf',
        family: 'llama',
        families: ['llama'],
        parameter_size: '1B',
        quantization_level: 'Q4_0',
      },
    })),
  };
}
