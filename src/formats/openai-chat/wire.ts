/** Mapping between the canonical form and OpenAI's Chat Completions wire objects, both ways (the format and the openai provider share it). */

import { contentText } from '../../core/content.ts';
import { InvalidRequest } from '../../core/errors.ts';
import type {
  ChatRequest,
  ChatResponse,
  ContentPart,
  FinishReason,
  Generation,
  Message,
  StreamEvent,
  Usage,
} from '../../core/types.ts';
import type { ReasoningFormat } from '../types.ts';
import type { WireChatRequest, WireMessage } from './schema.ts';

/** A `data:<type>;base64,<bytes>` URL's parts (the schema checked its shape). */
export function splitDataUrl(url: string): { mediaType: string; data: string } {
  const comma = url.indexOf(',');
  return { mediaType: url.slice(5, url.indexOf(';')), data: url.slice(comma + 1) };
}

type WirePart = Exclude<WireMessage['content'], string | null | undefined>[number];

function partFromWire(part: WirePart): ContentPart {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'refusal':
      return { type: 'text', text: part.refusal };
    case 'image_url':
      return part.image_url.detail
        ? { type: 'image', url: part.image_url.url, detail: part.image_url.detail }
        : { type: 'image', url: part.image_url.url };
    case 'input_audio':
      return { type: 'audio', data: part.input_audio.data, format: part.input_audio.format };
    case 'file': {
      const { mediaType, data } = splitDataUrl(part.file.file_data);
      return part.file.filename
        ? { type: 'file', data, mediaType, name: part.file.filename }
        : { type: 'file', data, mediaType };
    }
  }
}

function contentFromWire(content: WireMessage['content']): Message['content'] {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content.map(partFromWire);
}

export function messageFromWire(m: WireMessage): Message {
  const msg: Message = { role: m.role, content: contentFromWire(m.content) };
  if ('name' in m && typeof m.name === 'string') msg.name = m.name;
  if (m.role === 'assistant') {
    if (m.tool_calls?.length) {
      msg.toolCalls = m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));
    }
    if (m.reasoning_content) msg.reasoning = m.reasoning_content;
  }
  if (m.role === 'tool') msg.toolCallId = m.tool_call_id;
  return msg;
}

function partToWire(part: ContentPart): Record<string, unknown> {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'image':
      return { type: 'image_url', image_url: part.detail ? { url: part.url, detail: part.detail } : { url: part.url } };
    case 'audio':
      return { type: 'input_audio', input_audio: { data: part.data, format: part.format } };
    case 'file': {
      const file: Record<string, string> = { file_data: `data:${part.mediaType};base64,${part.data}` };
      if (part.name !== undefined) file.filename = part.name;
      return { type: 'file', file };
    }
  }
}

export function messageToWire(m: Message): Record<string, unknown> {
  const out: Record<string, unknown> = {
    role: m.role,
    content: typeof m.content === 'string' ? m.content : m.content.map(partToWire),
  };
  if (m.name !== undefined) out.name = m.name;
  if (m.toolCalls?.length) {
    out.tool_calls = m.toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.arguments },
    }));
    if (m.content === '') out.content = null;
  }
  if (m.toolCallId !== undefined) out.tool_call_id = m.toolCallId;
  return out;
}

export function chatRequestFromWire(body: WireChatRequest): ChatRequest {
  const stream = body.stream === true;
  const req: ChatRequest = {
    model: body.model,
    messages: body.messages.map(messageFromWire),
    stream,
    includeUsage: stream && body.stream_options?.include_usage === true,
    raw: body,
  };
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) req.maxTokens = maxTokens;
  if (body.temperature != null) req.temperature = body.temperature;
  if (body.top_p != null) req.topP = body.top_p;
  if (body.stop != null) req.stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (body.n != null) req.n = body.n;
  if (body.seed != null) req.seed = body.seed;
  if (body.presence_penalty != null) req.presencePenalty = body.presence_penalty;
  if (body.frequency_penalty != null) req.frequencyPenalty = body.frequency_penalty;
  if (body.user !== undefined) req.user = body.user;
  if (body.tools?.length) {
    req.tools = body.tools.map((t) => {
      const def: NonNullable<ChatRequest['tools']>[number] = { name: t.function.name };
      if (t.function.description !== undefined) def.description = t.function.description;
      if (t.function.parameters !== undefined) def.parameters = t.function.parameters;
      if (t.function.strict != null) def.strict = t.function.strict;
      return def;
    });
  }
  if (body.tool_choice !== undefined) {
    req.toolChoice = typeof body.tool_choice === 'string' ? body.tool_choice : { name: body.tool_choice.function.name };
  }
  if (body.parallel_tool_calls !== undefined) req.parallelToolCalls = body.parallel_tool_calls;
  const rf = body.response_format;
  if (rf) {
    if (rf.type === 'json_schema') {
      const js = rf.json_schema;
      req.responseFormat = { type: 'json_schema', name: js.name };
      if (js.schema) req.responseFormat.schema = js.schema;
      if (js.strict != null) req.responseFormat.strict = js.strict;
      if (js.description !== undefined) req.responseFormat.description = js.description;
    } else {
      req.responseFormat = { type: rf.type };
    }
  }
  if (body.reasoning_effort != null) req.reasoningEffort = body.reasoning_effort;
  return req;
}

/** Streaming and sampling fields chat and legacy completions share, added to `body`. */
export function samplingToWire(req: Generation, body: Record<string, unknown>): Record<string, unknown> {
  if (req.stream) {
    body.stream = true;
    // Always ask for usage: metering needs it; the client's own choice is honoured when we encode.
    body.stream_options = { include_usage: true };
  }
  if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.stop !== undefined) body.stop = req.stop;
  return body;
}

/**
 * Canonical turns as OpenAI messages. OpenAI's tool messages carry text only: images (and files) a tool returned go in
 * one user message right after the run of tool messages, which must stay unbroken after the assistant's calls.
 */
export function messagesToWire(messages: readonly Message[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let carried: ContentPart[] = [];
  const flush = (): void => {
    if (!carried.length) return;
    const intro = { type: 'text', text: 'Attachments returned by the tool calls above:' };
    out.push({ role: 'user', content: [intro, ...carried.map(partToWire)] });
    carried = [];
  };
  for (const m of messages) {
    if (m.role !== 'tool') flush();
    if (m.role === 'tool' && typeof m.content !== 'string' && m.content.some((p) => p.type !== 'text')) {
      const text = m.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
      carried.push(...m.content.filter((p) => p.type !== 'text'));
      out.push(messageToWire({ ...m, content: text || '(see the attachments below)' }));
    } else out.push(messageToWire(m));
  }
  flush();
  return out;
}

/** The OpenAI body for a canonical request, addressed to `model`. */
export function chatRequestToWire(req: ChatRequest, model: string): Record<string, unknown> {
  const body = samplingToWire(req, { model, messages: messagesToWire(req.messages) });
  if (req.n !== undefined) body.n = req.n;
  if (req.seed !== undefined) body.seed = req.seed;
  if (req.presencePenalty !== undefined) body.presence_penalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) body.frequency_penalty = req.frequencyPenalty;
  if (req.user !== undefined) body.user = req.user;
  if (req.tools) {
    body.tools = req.tools.map((t) => ({ type: 'function', function: { ...t } }));
  }
  if (req.toolChoice !== undefined) {
    body.tool_choice =
      typeof req.toolChoice === 'string'
        ? req.toolChoice
        : { type: 'function', function: { name: req.toolChoice.name } };
  }
  if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  if (req.responseFormat) {
    const rf = req.responseFormat;
    body.response_format =
      rf.type === 'json_schema'
        ? {
            type: 'json_schema',
            json_schema: { name: rf.name, schema: rf.schema, strict: rf.strict, description: rf.description },
          }
        : { type: rf.type };
  }
  if (req.reasoningEffort !== undefined) body.reasoning_effort = req.reasoningEffort;
  return body;
}

interface WireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

export function usageFromWire(u: WireUsage): Usage {
  const promptTokens = u.prompt_tokens ?? 0;
  const completionTokens = u.completion_tokens ?? 0;
  const usage: Usage = {
    promptTokens,
    completionTokens,
    totalTokens: u.total_tokens ?? promptTokens + completionTokens,
  };
  const cached = u.prompt_tokens_details?.cached_tokens;
  if (cached) usage.cachedTokens = cached;
  const reasoning = u.completion_tokens_details?.reasoning_tokens;
  if (reasoning) usage.reasoningTokens = reasoning;
  return usage;
}

export function usageToWire(u: Usage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.totalTokens,
  };
  if (u.cachedTokens !== undefined) out.prompt_tokens_details = { cached_tokens: u.cachedTokens };
  if (u.reasoningTokens !== undefined) out.completion_tokens_details = { reasoning_tokens: u.reasoningTokens };
  return out;
}

const FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
};

export function finishFromWire(reason: unknown): FinishReason {
  return (typeof reason === 'string' && FINISH_REASONS[reason]) || 'stop';
}

interface WireResponseMessage {
  content?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
  refusal?: string | null;
  tool_calls?: { id: string; function: { name: string; arguments?: string } }[] | null;
}

interface WireChatResponse {
  id?: string;
  model?: string;
  created?: number;
  choices?: { message?: WireResponseMessage; finish_reason?: string | null }[];
  usage?: WireUsage | null;
}

export function chatResponseFromWire(body: WireChatResponse, fallbackModel: string): ChatResponse {
  const choice = body.choices?.[0];
  const wm = choice?.message ?? {};
  const message: Message = { role: 'assistant', content: wm.content ?? wm.refusal ?? '' };
  const reasoning = wm.reasoning_content ?? wm.reasoning;
  if (reasoning) message.reasoning = reasoning;
  if (wm.tool_calls?.length) {
    message.toolCalls = wm.tool_calls.map((c) => ({
      id: c.id,
      name: c.function.name,
      arguments: c.function.arguments ?? '',
    }));
  }
  const res: ChatResponse = {
    id: body.id ?? '',
    model: body.model ?? fallbackModel,
    created: body.created ?? Math.floor(Date.now() / 1000),
    message,
    finishReason: finishFromWire(choice?.finish_reason),
  };
  if (body.usage) res.usage = usageFromWire(body.usage);
  return res;
}

/** An OpenAI `chat.completion` object; reasoning goes where `reasoningFormat` says (a field, or `<think>` tags in content). */
export function chatResponseToWire(
  res: ChatResponse,
  reasoningFormat: ReasoningFormat = 'reasoning_content',
): Record<string, unknown> {
  const m = res.message;
  const text = contentText(m.content);
  const message: Record<string, unknown> = { role: 'assistant', content: text, refusal: null };
  if (m.reasoning) {
    if (reasoningFormat === 'thinking') message.content = `<think>\n${m.reasoning}\n</think>\n\n${text}`;
    else message[reasoningFormat] = m.reasoning;
  }
  if (m.toolCalls?.length) {
    message.tool_calls = m.toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.arguments },
    }));
    if (message.content === '') message.content = null;
  }
  const out: Record<string, unknown> = {
    id: res.id,
    object: 'chat.completion',
    created: res.created,
    model: res.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: res.finishReason }],
  };
  if (res.usage) out.usage = usageToWire(res.usage);
  return out;
}

interface WireChunk {
  choices?: {
    delta?: Omit<WireResponseMessage, 'tool_calls'> & {
      tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[] | null;
    };
    finish_reason?: string | null;
  }[];
  usage?: WireUsage | null;
  error?: { message?: string };
}

/** The canonical events one OpenAI stream chunk carries (its `choices[0]` only). */
export function chunkToEvents(chunk: WireChunk, out: StreamEvent[]): void {
  const choice = chunk.choices?.[0];
  const delta = choice?.delta;
  if (delta) {
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (reasoning) out.push({ type: 'reasoning', text: reasoning });
    if (delta.content) out.push({ type: 'text', text: delta.content });
    if (delta.tool_calls) {
      for (const [i, call] of delta.tool_calls.entries()) {
        const index = call.index ?? i;
        if (call.id !== undefined || call.function?.name !== undefined) {
          out.push({ type: 'tool_call_start', index, id: call.id ?? '', name: call.function?.name ?? '' });
        }
        if (call.function?.arguments) out.push({ type: 'tool_call_delta', index, arguments: call.function.arguments });
      }
    }
  }
  if (choice?.finish_reason) out.push({ type: 'finish', reason: finishFromWire(choice.finish_reason) });
  if (chunk.usage) out.push({ type: 'usage', usage: usageFromWire(chunk.usage) });
}

/** Rejects a canonical request the target cannot carry, naming the feature. */
export function refuseUnsupported(feature: string, providerName: string): never {
  throw new InvalidRequest(`${feature} is not supported by the provider '${providerName}' serving this model.`, {
    code: 'unsupported_feature',
  });
}
