/** Canonical answers and event streams -> Responses API `response` objects and SSE event sequences. */

import { contentText } from '../../core/content.ts';
import { asGatewayError } from '../../core/errors.ts';
import type { ChatResponse, FinishReason, Message, StreamEvent, ToolCall, Usage } from '../../core/types.ts';
import type { WireResponsesRequest } from './schema.ts';

type Obj = Record<string, unknown>;

/** What the response object echoes and is named by, beyond the answer. */
export interface ResponseMeta {
  /** `resp_…`; item ids share its suffix. */
  id: string;
  createdAt: number;
  model: string;
  wire: WireResponsesRequest;
}

export const responseId = (requestId: string): string => `resp_${requestId.replaceAll('-', '')}`;

const itemId = (meta: ResponseMeta, prefix: 'msg' | 'rs' | 'fc', outputIndex: number): string =>
  `${prefix}_${meta.id.slice(5)}_${outputIndex}`;

function usageToWire(u: Usage): Obj {
  return {
    input_tokens: u.promptTokens,
    input_tokens_details: { cached_tokens: u.cachedTokens ?? 0, cache_write_tokens: u.cacheWriteTokens ?? 0 },
    output_tokens: u.completionTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
    total_tokens: u.totalTokens,
  };
}

type Status = 'in_progress' | 'completed' | 'incomplete' | 'failed';

const INCOMPLETE: Partial<Record<FinishReason, string>> = {
  length: 'max_output_tokens',
  content_filter: 'content_filter',
};

function statusOf(finish: FinishReason | undefined): { status: Status; incomplete: Obj | null } {
  const reason = finish && INCOMPLETE[finish];
  return reason ? { status: 'incomplete', incomplete: { reason } } : { status: 'completed', incomplete: null };
}

/** The response object around `output`, echoing the request as the API does. */
export function responseObject(
  meta: ResponseMeta,
  status: Status,
  output: Obj[],
  extra: { usage?: Usage | undefined; incomplete?: Obj | null; error?: Obj | null } = {},
): Obj {
  const w = meta.wire;
  return {
    id: meta.id,
    object: 'response',
    created_at: meta.createdAt,
    status,
    background: false,
    completed_at: status === 'completed' ? Math.floor(Date.now() / 1000) : null,
    error: extra.error ?? null,
    incomplete_details: extra.incomplete ?? null,
    instructions: w.instructions ?? null,
    max_output_tokens: w.max_output_tokens ?? null,
    max_tool_calls: null,
    model: meta.model,
    output,
    parallel_tool_calls: w.parallel_tool_calls ?? true,
    previous_response_id: w.previous_response_id ?? null,
    reasoning: { effort: w.reasoning?.effort ?? null, summary: w.reasoning?.summary ?? null },
    service_tier: 'default',
    store: w.store !== false,
    temperature: w.temperature ?? null,
    text: { format: w.text?.format ?? { type: 'text' }, verbosity: 'medium' },
    tool_choice: w.tool_choice ?? 'auto',
    tools: (w.tools ?? []).map((t) => ({
      type: 'function',
      name: t.name,
      description: t.description ?? null,
      parameters: t.parameters ?? null,
      strict: t.strict ?? null,
    })),
    top_logprobs: 0,
    top_p: w.top_p ?? null,
    truncation: w.truncation ?? 'disabled',
    metadata: w.metadata ?? {},
    // Not nullable in the OpenAPI document: absent until known.
    ...(extra.usage ? { usage: usageToWire(extra.usage) } : {}),
    // The OpenAPI document types `user` as a string: absent when the request had none.
    ...(w.user == null ? {} : { user: w.user }),
  };
}

const reasoningItem = (id: string, text: string, signature: string | undefined): Obj => {
  const item: Obj = { id, type: 'reasoning', summary: text ? [{ type: 'summary_text', text }] : [] };
  if (signature !== undefined) item.encrypted_content = signature;
  return item;
};

const outputTextPart = (text: string): Obj => ({ type: 'output_text', annotations: [], logprobs: [], text });

const messageItem = (id: string, status: Status, text: string): Obj => ({
  id,
  type: 'message',
  status,
  content: [outputTextPart(text)],
  role: 'assistant',
});

const functionCallItem = (id: string, status: Status, call: ToolCall): Obj => ({
  id,
  type: 'function_call',
  status,
  arguments: call.arguments,
  call_id: call.id,
  name: call.name,
});

/** The output items of one answer: its reasoning, its text and its function calls, in that order. */
export function outputItems(m: Message, meta: ResponseMeta, status: Status): Obj[] {
  const out: Obj[] = [];
  if (m.reasoning || m.reasoningSignature) {
    out.push(reasoningItem(itemId(meta, 'rs', out.length), m.reasoning ?? '', m.reasoningSignature));
  }
  const text = contentText(m.content);
  if (text || !m.toolCalls?.length) out.push(messageItem(itemId(meta, 'msg', out.length), status, text));
  for (const call of m.toolCalls ?? []) out.push(functionCallItem(itemId(meta, 'fc', out.length), status, call));
  return out;
}

export function encodeResponseObject(res: ChatResponse, meta: ResponseMeta): Obj {
  const { status, incomplete } = statusOf(res.finishReason);
  return responseObject(meta, status, outputItems(res.message, meta, status), { usage: res.usage, incomplete });
}

const ERROR_CODES: Partial<Record<string, string>> = { rate_limited: 'rate_limit_exceeded' };

/** An `error` event: how a stream ends when it breaks outside the encoder (no response to fail). */
export function streamErrorEvent(err: unknown, sequenceNumber = 0): string {
  const e = asGatewayError(err);
  const data = { type: 'error', sequence_number: sequenceNumber, code: e.code, message: e.message, param: e.param };
  return `event: error\ndata: ${JSON.stringify(data)}\n\n`;
}

/** An item being streamed: text, reasoning, or one function call (`index` is the canonical call index). */
type OpenItem =
  | { kind: 'message'; outputIndex: number; id: string; text: string }
  | { kind: 'reasoning'; outputIndex: number; id: string; text: string; signature?: string }
  | { kind: 'function'; outputIndex: number; id: string; call: ToolCall; index: number };

/** What a finished stream produced: its response object and the assistant message (for the conversation store). */
export interface StreamOutcome {
  response: Obj;
  message: Message;
}

/**
 * Canonical events -> the Responses API event sequence: `response.created`, `response.in_progress`, then per output item
 * `output_item.added`, its parts and deltas and `output_item.done`, and `response.completed` (or `.incomplete`), each
 * with its `sequence_number`. A failure ends it with `response.failed`. `onDone` runs before the last event is sent.
 */
export async function* encodeResponsesStream(
  events: AsyncIterable<StreamEvent>,
  meta: ResponseMeta,
  onDone: (outcome: StreamOutcome) => Promise<void>,
): AsyncIterable<string> {
  let seq = 0;
  const event = (type: string, payload: Obj): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...payload })}\n\n`;
  const output: Obj[] = [];
  const message: Message = { role: 'assistant', content: '' };
  const calls = new Map<number, Extract<OpenItem, { kind: 'function' }>>();
  let open: OpenItem | undefined;
  let usage: Usage | undefined;
  let finish: FinishReason | undefined;

  const start = function* (item: OpenItem, added: Obj): Generator<string> {
    open = item;
    output.push(added);
    yield event('response.output_item.added', { output_index: item.outputIndex, item: added });
  };

  const close = function* (status: Status): Generator<string> {
    const item = open;
    if (!item) return;
    open = undefined;
    const at = { item_id: item.id, output_index: item.outputIndex };
    let done: Obj;
    if (item.kind === 'message') {
      const part = outputTextPart(item.text);
      yield event('response.output_text.done', { ...at, content_index: 0, text: item.text, logprobs: [] });
      yield event('response.content_part.done', { ...at, content_index: 0, part });
      done = messageItem(item.id, status, item.text);
      message.content = `${message.content}${item.text}`;
    } else if (item.kind === 'reasoning') {
      const part = { type: 'summary_text', text: item.text };
      yield event('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: item.text });
      yield event('response.reasoning_summary_part.done', { ...at, summary_index: 0, part });
      done = reasoningItem(item.id, item.text, item.signature);
      message.reasoning = message.reasoning ? `${message.reasoning}\n\n${item.text}` : item.text;
      if (item.signature !== undefined) message.reasoningSignature = item.signature;
    } else {
      const { arguments: args, name } = item.call;
      yield event('response.function_call_arguments.done', { ...at, arguments: args, name });
      done = functionCallItem(item.id, status, item.call);
    }
    output[item.outputIndex] = done;
    yield event('response.output_item.done', { output_index: item.outputIndex, item: done });
  };

  yield event('response.created', { response: responseObject(meta, 'in_progress', []) });
  yield event('response.in_progress', { response: responseObject(meta, 'in_progress', []) });
  try {
    for await (const ev of events) {
      switch (ev.type) {
        case 'text': {
          if (open?.kind !== 'message') {
            yield* close('completed');
            const id = itemId(meta, 'msg', output.length);
            yield* start({ kind: 'message', outputIndex: output.length, id, text: '' }, messageAdded(id));
            const at = { item_id: id, output_index: output.length - 1, content_index: 0 };
            yield event('response.content_part.added', { ...at, part: outputTextPart('') });
          }
          const item = open as Extract<OpenItem, { kind: 'message' }>;
          item.text += ev.text;
          const at = { item_id: item.id, output_index: item.outputIndex, content_index: 0 };
          yield event('response.output_text.delta', { ...at, delta: ev.text, logprobs: [] });
          break;
        }
        case 'reasoning': {
          if (open?.kind !== 'reasoning') {
            yield* close('completed');
            const id = itemId(meta, 'rs', output.length);
            yield* start(
              { kind: 'reasoning', outputIndex: output.length, id, text: '' },
              reasoningItem(id, '', undefined),
            );
            const at = { item_id: id, output_index: output.length - 1, summary_index: 0 };
            yield event('response.reasoning_summary_part.added', { ...at, part: { type: 'summary_text', text: '' } });
          }
          const item = open as Extract<OpenItem, { kind: 'reasoning' }>;
          item.text += ev.text;
          const at = { item_id: item.id, output_index: item.outputIndex, summary_index: 0 };
          yield event('response.reasoning_summary_text.delta', { ...at, delta: ev.text });
          break;
        }
        case 'reasoning_signature':
          if (open?.kind === 'reasoning') open.signature = ev.signature;
          else message.reasoningSignature = ev.signature;
          break;
        case 'tool_call_start': {
          yield* close('completed');
          const outputIndex = output.length;
          const id = itemId(meta, 'fc', outputIndex);
          const call = { id: ev.id, name: ev.name, arguments: '' };
          const item = { kind: 'function' as const, outputIndex, id, call, index: ev.index };
          calls.set(ev.index, item);
          if (!message.toolCalls) message.toolCalls = [];
          message.toolCalls.push(call);
          yield* start(item, functionCallItem(id, 'in_progress', call));
          break;
        }
        case 'tool_call_delta': {
          const item = calls.get(ev.index);
          if (!item) break;
          item.call.arguments += ev.arguments;
          // A late delta of an item already done still reaches the final response (its output entry is this call).
          if (open !== item) output[item.outputIndex] = functionCallItem(item.id, 'completed', item.call);
          yield event('response.function_call_arguments.delta', {
            item_id: item.id,
            output_index: item.outputIndex,
            delta: ev.arguments,
          });
          break;
        }
        case 'usage':
          usage = ev.usage;
          break;
        case 'finish':
          finish = ev.reason;
          break;
        case 'error':
          throw ev.error;
      }
    }
  } catch (err) {
    const e = asGatewayError(err);
    const error = { code: ERROR_CODES[e.kind] ?? 'server_error', message: e.message };
    yield event('response.failed', { response: responseObject(meta, 'failed', output, { usage, error }) });
    return;
  }
  const { status, incomplete } = statusOf(finish);
  yield* close(status);
  const response = responseObject(meta, status, output, { usage, incomplete });
  await onDone({ response, message });
  yield event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response });
}

const messageAdded = (id: string): Obj => ({
  id,
  type: 'message',
  status: 'in_progress',
  content: [],
  role: 'assistant',
});
