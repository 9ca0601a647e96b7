/** Mapping between the canonical form and Anthropic's Messages wire objects, both ways (the format and the anthropic provider share it). */
import { InvalidRequest } from '../../core/errors.ts';
import type {
  ChatRequest,
  ChatResponse,
  ContentPart,
  FinishReason,
  Message,
  ToolCall,
  Usage,
} from '../../core/types.ts';
import { refuseUnsupported, splitDataUrl } from '../openai-chat/wire.ts';
import type { WireBlock, WireMessagesRequest, WireToolResultContent } from './schema.ts';

/**
 * A `redacted_thinking` block has no canonical slot of its own: its data travels as the reasoning signature with this
 * prefix, so the anthropic provider can send the block back as it came.
 */
export const REDACTED_THINKING = 'redacted_thinking:';

// ---- Anthropic request -> canonical (the inbound format) ----

function textOfBlocks(blocks: readonly { text: string }[]): string {
  return blocks.map((b) => b.text).join('\n');
}

function partFromBlock(block: WireBlock, at: string): ContentPart {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'image':
      return block.source.type === 'base64'
        ? { type: 'image', url: `data:${block.source.media_type};base64,${block.source.data}` }
        : { type: 'image', url: block.source.url };
    case 'document': {
      const source = block.source;
      const named = (part: Extract<ContentPart, { type: 'file' }>): ContentPart =>
        block.title ? { ...part, name: block.title } : part;
      if (source.type === 'base64') return named({ type: 'file', data: source.data, mediaType: source.media_type });
      if (source.type === 'text') {
        const data = Buffer.from(source.data, 'utf8').toString('base64');
        return named({ type: 'file', data, mediaType: source.media_type ?? 'text/plain' });
      }
      throw new InvalidRequest(
        `${at}.source: documents by URL are not supported by this gateway; send them as base64.`,
        {
          param: `${at}.source`,
        },
      );
    }
    default:
      throw new InvalidRequest(`${at}: a '${block.type}' block is not allowed here.`, { param: at });
  }
}

function toolResultContent(content: WireToolResultContent | undefined, at: string): Message['content'] {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  const parts = content.map((b, k) => partFromBlock(b, `${at}.content.${k}`));
  return parts.every((p) => p.type === 'text') ? textOfBlocks(parts) : parts;
}

/** One Anthropic turn as canonical messages: a user turn's tool results become `tool` messages before its other content. */
function turnFromWire(m: WireMessagesRequest['messages'][number], i: number, out: Message[]): void {
  if (typeof m.content === 'string') {
    out.push({ role: m.role, content: m.content });
    return;
  }
  if (m.role === 'user') {
    const parts: ContentPart[] = [];
    for (const [j, block] of m.content.entries()) {
      const at = `messages.${i}.content.${j}`;
      if (block.type === 'tool_result') {
        const tool: Message = {
          role: 'tool',
          toolCallId: block.tool_use_id,
          content: toolResultContent(block.content, at),
        };
        if (block.is_error) tool.isError = true;
        out.push(tool);
      } else parts.push(partFromBlock(block, at));
    }
    if (parts.length || !m.content.length) out.push({ role: 'user', content: parts });
    return;
  }
  const msg: Message = { role: 'assistant', content: '' };
  let text = '';
  const calls: ToolCall[] = [];
  for (const [j, block] of m.content.entries()) {
    switch (block.type) {
      case 'text':
        text += block.text;
        break;
      case 'tool_use':
        calls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
        break;
      case 'thinking':
        msg.reasoning = (msg.reasoning ?? '') + block.thinking;
        if (block.signature) msg.reasoningSignature = block.signature;
        break;
      case 'redacted_thinking':
        msg.reasoningSignature ??= REDACTED_THINKING + block.data;
        break;
      default:
        throw new InvalidRequest(
          `messages.${i}.content.${j}: a '${block.type}' block is not allowed in an assistant turn.`,
          {
            param: `messages.${i}.content.${j}`,
          },
        );
    }
  }
  msg.content = text;
  if (calls.length) msg.toolCalls = calls;
  out.push(msg);
}

export function chatRequestFromWire(body: WireMessagesRequest): ChatRequest {
  const stream = body.stream === true;
  const messages: Message[] = [];
  if (body.system !== undefined) {
    const system = typeof body.system === 'string' ? body.system : textOfBlocks(body.system);
    if (system) messages.push({ role: 'system', content: system });
  }
  for (const [i, m] of body.messages.entries()) turnFromWire(m, i, messages);
  // Anthropic always reports usage in a stream.
  const req: ChatRequest = { model: body.model, messages, stream, includeUsage: stream };
  if (body.max_tokens !== undefined) req.maxTokens = body.max_tokens;
  if (body.temperature !== undefined) req.temperature = body.temperature;
  if (body.top_p !== undefined) req.topP = body.top_p;
  if (body.top_k !== undefined) req.topK = body.top_k;
  if (body.stop_sequences?.length) req.stop = body.stop_sequences;
  if (body.metadata?.user_id) req.user = body.metadata.user_id;
  if (body.tools?.length) {
    req.tools = body.tools.map((t, i) => {
      if (t.type && t.type !== 'custom') {
        throw new InvalidRequest(
          `tools.${i}: Anthropic server tools ('${t.type}') are not supported by this gateway.`,
          {
            param: `tools.${i}.type`,
            code: 'unsupported_feature',
          },
        );
      }
      const def: NonNullable<ChatRequest['tools']>[number] = { name: t.name };
      if (t.description !== undefined) def.description = t.description;
      def.parameters = t.input_schema ?? { type: 'object', properties: {} };
      return def;
    });
  }
  const choice = body.tool_choice;
  if (choice) {
    req.toolChoice = choice.type === 'any' ? 'required' : choice.type === 'tool' ? { name: choice.name } : choice.type;
    if (choice.type !== 'none' && choice.disable_parallel_tool_use) req.parallelToolCalls = false;
  }
  if (body.thinking?.type === 'enabled') req.thinking = { budgetTokens: body.thinking.budget_tokens };
  else if (body.thinking?.type === 'adaptive') req.thinking = {};
  const effort = body.output_config?.effort;
  if (effort === 'low' || effort === 'medium' || effort === 'high') req.reasoningEffort = effort;
  return req;
}

// ---- canonical request -> Anthropic (the provider) ----

type Block = Record<string, unknown>;

function imageBlock(url: string): Block {
  if (url.startsWith('data:')) {
    const { mediaType, data } = splitDataUrl(url);
    return { type: 'image', source: { type: 'base64', media_type: mediaType, data } };
  }
  return { type: 'image', source: { type: 'url', url } };
}

function blockFromPart(part: ContentPart, provider: string): Block {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'image':
      return imageBlock(part.url);
    case 'file': {
      const block: Block =
        part.mediaType === 'text/plain'
          ? {
              type: 'document',
              source: {
                type: 'text',
                media_type: 'text/plain',
                data: Buffer.from(part.data, 'base64').toString('utf8'),
              },
            }
          : { type: 'document', source: { type: 'base64', media_type: part.mediaType, data: part.data } };
      if (part.name !== undefined) block.title = part.name;
      return block;
    }
    case 'audio':
      return refuseUnsupported('Audio input', provider);
  }
}

function blocksOf(content: Message['content'], provider: string): Block[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  return content.map((p) => blockFromPart(p, provider));
}

function toolInput(call: ToolCall, at: string): unknown {
  if (call.arguments.trim() === '') return {};
  try {
    const input: unknown = JSON.parse(call.arguments);
    if (input !== null && typeof input === 'object' && !Array.isArray(input)) return input;
  } catch {
    // reported below
  }
  throw new InvalidRequest(`The arguments of tool call '${call.id}' are not a JSON object.`, { param: at });
}

function assistantBlocks(m: Message, i: number, provider: string): Block[] {
  const blocks: Block[] = [];
  // Anthropic checks the signature of each thinking block it is sent: reasoning without one (another vendor's) stays out.
  if (m.reasoningSignature?.startsWith(REDACTED_THINKING)) {
    blocks.push({ type: 'redacted_thinking', data: m.reasoningSignature.slice(REDACTED_THINKING.length) });
  } else if (m.reasoningSignature !== undefined) {
    blocks.push({ type: 'thinking', thinking: m.reasoning ?? '', signature: m.reasoningSignature });
  }
  blocks.push(...blocksOf(m.content, provider));
  for (const [k, call] of (m.toolCalls ?? []).entries()) {
    blocks.push({
      type: 'tool_use',
      id: call.id,
      name: call.name,
      input: toolInput(call, `messages[${i}].tool_calls[${k}]`),
    });
  }
  return blocks;
}

function toolResultBlock(m: Message, i: number, provider: string): Block {
  if (m.toolCallId === undefined) {
    throw new InvalidRequest(`messages[${i}] is a tool message without tool_call_id.`, {
      param: `messages[${i}].tool_call_id`,
    });
  }
  const block: Block = { type: 'tool_result', tool_use_id: m.toolCallId };
  if (typeof m.content === 'string') {
    if (m.content) block.content = m.content;
  } else block.content = m.content.map((p) => blockFromPart(p, provider));
  if (m.isError) block.is_error = true;
  return block;
}

/**
 * Canonical turns as Anthropic's: system text apart, tool results as `tool_result` blocks of a user turn, and
 * consecutive turns of one role merged (Anthropic wants user and assistant to alternate).
 */
export function messagesToWire(
  messages: readonly Message[],
  provider: string,
): { system: Block[]; messages: { role: string; content: Block[] }[] } {
  const system: Block[] = [];
  const out: { role: string; content: Block[] }[] = [];
  for (const [i, m] of messages.entries()) {
    if (m.role === 'system' || m.role === 'developer') {
      system.push(...blocksOf(m.content, provider));
      continue;
    }
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const blocks =
      m.role === 'assistant'
        ? assistantBlocks(m, i, provider)
        : m.role === 'tool'
          ? [toolResultBlock(m, i, provider)]
          : blocksOf(m.content, provider);
    const last = out.at(-1);
    if (last?.role === role) {
      // Tool results lead their user turn, as Anthropic requires.
      if (m.role === 'tool') {
        const firstOther = last.content.findIndex((b) => b.type !== 'tool_result');
        if (firstOther === -1) last.content.push(...blocks);
        else last.content.splice(firstOther, 0, ...blocks);
      } else last.content.push(...blocks);
    } else out.push({ role, content: blocks });
  }
  // An empty turn is refused upstream: give it an empty text's stand-in.
  for (const turn of out) if (!turn.content.length) turn.content.push({ type: 'text', text: '.' });
  return { system, messages: out };
}

const EFFORT_BUDGET: Record<NonNullable<ChatRequest['reasoningEffort']>, number> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 24576,
};
/** The budget when thinking is asked for without one. */
export const DEFAULT_THINKING_BUDGET = 8192;

/** The thinking budget the request asks for, or undefined when thinking stays off. */
export function thinkingBudget(req: ChatRequest): number | undefined {
  if (req.thinking?.budgetTokens !== undefined) return Math.max(1024, req.thinking.budgetTokens);
  if (req.reasoningEffort !== undefined) return EFFORT_BUDGET[req.reasoningEffort];
  return req.thinking ? DEFAULT_THINKING_BUDGET : undefined;
}

/** The Anthropic body for a canonical request, addressed to `model`, with `maxTokens` already decided. */
export function chatRequestToWire(
  req: ChatRequest,
  opts: { model: string; provider: string; maxTokens: number },
): Record<string, unknown> {
  const provider = opts.provider;
  if (req.n !== undefined && req.n > 1) refuseUnsupported('More than one choice (n > 1)', provider);
  if (req.responseFormat && req.responseFormat.type !== 'text') {
    refuseUnsupported(`response_format ${req.responseFormat.type}`, provider);
  }
  const { system, messages } = messagesToWire(req.messages, provider);
  const body: Record<string, unknown> = { model: opts.model, messages, max_tokens: opts.maxTokens };
  if (system.length) body.system = system.length === 1 ? (system[0]!.text as string) : system;
  if (req.stop?.length) body.stop_sequences = req.stop;
  const budget = thinkingBudget(req);
  if (budget !== undefined) {
    body.thinking = { type: 'enabled', budget_tokens: budget };
    // Anthropic's budget must stay below max_tokens: the answer keeps its own allowance on top.
    if (opts.maxTokens <= budget) body.max_tokens = budget + opts.maxTokens;
    // With thinking on, Anthropic refuses temperature and top_k, and top_p below 0.95.
    if (req.topP !== undefined && req.topP >= 0.95) body.top_p = req.topP;
  } else {
    if (req.temperature !== undefined) body.temperature = Math.min(1, req.temperature);
    if (req.topP !== undefined) body.top_p = req.topP;
    if (req.topK !== undefined) body.top_k = req.topK;
  }
  if (req.user !== undefined) body.metadata = { user_id: req.user };
  if (req.tools?.length) {
    body.tools = req.tools.map((t) => {
      const tool: Record<string, unknown> = { name: t.name };
      if (t.description !== undefined) tool.description = t.description;
      tool.input_schema = t.parameters ?? { type: 'object', properties: {} };
      return tool;
    });
  }
  const choice = req.toolChoice;
  if (choice !== undefined || req.parallelToolCalls === false) {
    const wire: Record<string, unknown> =
      choice === undefined || choice === 'auto'
        ? { type: 'auto' }
        : choice === 'none'
          ? { type: 'none' }
          : choice === 'required'
            ? { type: 'any' }
            : { type: 'tool', name: choice.name };
    if (req.parallelToolCalls === false && wire.type !== 'none') wire.disable_parallel_tool_use = true;
    if (req.tools?.length || wire.type === 'none') body.tool_choice = wire;
  }
  if (req.stream) body.stream = true;
  return body;
}

// ---- usage and stop reasons ----

export interface WireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** Anthropic's counts as canonical: its `input_tokens` leave out the cache, canonical prompt tokens include it. */
export function usageFromWire(u: WireUsage): Usage {
  const cacheRead = u.cache_read_input_tokens ?? 0;
  const cacheWrite = u.cache_creation_input_tokens ?? 0;
  const promptTokens = (u.input_tokens ?? 0) + cacheRead + cacheWrite;
  const completionTokens = u.output_tokens ?? 0;
  const usage: Usage = { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
  if (cacheRead) usage.cachedTokens = cacheRead;
  if (cacheWrite) usage.cacheWriteTokens = cacheWrite;
  return usage;
}

export function usageToWire(u: Usage): Required<{ [K in keyof WireUsage]: number }> {
  const cacheRead = u.cachedTokens ?? 0;
  const cacheWrite = u.cacheWriteTokens ?? 0;
  return {
    input_tokens: Math.max(0, u.promptTokens - cacheRead - cacheWrite),
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
    output_tokens: u.completionTokens,
  };
}

const STOP_REASONS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

export function finishFromWire(reason: unknown): FinishReason {
  return (typeof reason === 'string' && STOP_REASONS[reason]) || 'stop';
}

/** A canonical finish as Anthropic's stop_reason (a content filter has no other name than `refusal`). */
export function finishToWire(reason: FinishReason): string {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

// ---- responses both ways ----

export interface WireContentBlock {
  type?: string;
  text?: string;
  thinking?: string;
  signature?: string;
  data?: string;
  id?: string;
  name?: string;
  input?: unknown;
}

export interface WireMessageResponse {
  id?: string;
  model?: string;
  content?: WireContentBlock[];
  stop_reason?: string | null;
  usage?: WireUsage | null;
}

export function chatResponseFromWire(body: WireMessageResponse, fallbackModel: string): ChatResponse {
  const message: Message = { role: 'assistant', content: '' };
  let text = '';
  const calls: ToolCall[] = [];
  for (const block of body.content ?? []) {
    if (block.type === 'text') text += block.text ?? '';
    else if (block.type === 'thinking') {
      message.reasoning = (message.reasoning ?? '') + (block.thinking ?? '');
      if (block.signature) message.reasoningSignature = block.signature;
    } else if (block.type === 'redacted_thinking' && block.data) {
      message.reasoningSignature ??= REDACTED_THINKING + block.data;
    } else if (block.type === 'tool_use') {
      calls.push({ id: block.id ?? '', name: block.name ?? '', arguments: JSON.stringify(block.input ?? {}) });
    }
  }
  message.content = text;
  if (calls.length) message.toolCalls = calls;
  const res: ChatResponse = {
    id: body.id ?? '',
    model: body.model ?? fallbackModel,
    created: Math.floor(Date.now() / 1000),
    message,
    finishReason: finishFromWire(body.stop_reason),
  };
  if (body.usage) res.usage = usageFromWire(body.usage);
  return res;
}

function parsedArguments(text: string): unknown {
  try {
    return text.trim() ? JSON.parse(text) : {};
  } catch {
    // A model's malformed arguments still reach the client, as the text they were.
    return { arguments: text };
  }
}

/** The blocks a canonical answer's thinking (or its redacted form) opens with. */
export function thinkingBlocks(m: Pick<Message, 'reasoning' | 'reasoningSignature'>): Block[] {
  if (m.reasoningSignature?.startsWith(REDACTED_THINKING)) {
    const redacted = { type: 'redacted_thinking', data: m.reasoningSignature.slice(REDACTED_THINKING.length) };
    return m.reasoning ? [{ type: 'thinking', thinking: m.reasoning, signature: '' }, redacted] : [redacted];
  }
  if (!m.reasoning && m.reasoningSignature === undefined) return [];
  return [{ type: 'thinking', thinking: m.reasoning ?? '', signature: m.reasoningSignature ?? '' }];
}

/** An Anthropic `message` object for a canonical answer. */
export function chatResponseToWire(res: ChatResponse, ids: { id: string; model: string }): Record<string, unknown> {
  const m = res.message;
  const content: Block[] = thinkingBlocks(m);
  const text =
    typeof m.content === 'string' ? m.content : m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
  if (text) content.push({ type: 'text', text });
  for (const call of m.toolCalls ?? []) {
    content.push({ type: 'tool_use', id: call.id, name: call.name, input: parsedArguments(call.arguments) });
  }
  return {
    id: ids.id,
    type: 'message',
    role: 'assistant',
    model: ids.model,
    content,
    stop_reason: finishToWire(res.finishReason),
    stop_sequence: null,
    usage: usageToWire(res.usage ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 }),
  };
}
