/** Responses API request bodies -> canonical requests: input items to messages, tools, text format, reasoning. */
import { InvalidRequest } from '../../core/errors.ts';
import type { ChatRequest, ContentPart, Message, ToolDefinition } from '../../core/types.ts';
import { validate } from '../openai-chat/decode.ts';
import { splitDataUrl } from '../openai-chat/wire.ts';
import {
  INPUT_ITEM_TYPES,
  responsesRequestSchema,
  type WireContentPart,
  type WireInputItem,
  type WireResponsesRequest,
} from './schema.ts';

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const unsupported = (message: string, param: string): InvalidRequest =>
  new InvalidRequest(message, { param, code: 'unsupported_parameter' });

/**
 * What validation alone would word poorly: items and tools of types the gateway cannot carry are named; message items
 * written without `type` (as the SDK allows) get it.
 */
function screen(body: unknown): void {
  if (!isObject(body)) return;
  if (Array.isArray(body.input)) {
    for (const [i, item] of body.input.entries()) {
      if (!isObject(item)) continue;
      if (item.type === undefined && 'role' in item) item.type = 'message';
      if (typeof item.type === 'string' && !INPUT_ITEM_TYPES.has(item.type)) {
        throw unsupported(
          `Input items of type '${item.type}' are not supported by this gateway: send messages, function_call, function_call_output and reasoning items.`,
          `input[${i}].type`,
        );
      }
    }
  }
  if (Array.isArray(body.tools)) {
    for (const [i, tool] of body.tools.entries()) {
      if (isObject(tool) && typeof tool.type === 'string' && tool.type !== 'function') {
        throw unsupported(
          `The built-in tool '${tool.type}' is not supported by this gateway: only function tools are.`,
          `tools[${i}].type`,
        );
      }
    }
  }
  if (isObject(body.tool_choice) && body.tool_choice.type !== 'function') {
    throw unsupported(
      `tool_choice of type '${String(body.tool_choice.type)}' is not supported by this gateway.`,
      'tool_choice',
    );
  }
  for (const field of ['conversation', 'prompt'] as const) {
    if (body[field] != null) throw unsupported(`'${field}' is not supported by this gateway.`, field);
  }
  if (body.background === true) {
    throw unsupported('Background responses are not supported by this gateway.', 'background');
  }
}

export function validateResponsesRequest(body: unknown): WireResponsesRequest {
  screen(body);
  return validate(responsesRequestSchema, body);
}

function partFromWire(part: WireContentPart, param: string): ContentPart {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: part.text };
    case 'refusal':
      return { type: 'text', text: part.refusal };
    case 'input_image':
      if (!part.image_url) {
        throw unsupported(
          'input_image with file_id is not supported by this gateway: send image_url (an https URL or a data: URL).',
          param,
        );
      }
      return part.detail
        ? { type: 'image', url: part.image_url, detail: part.detail }
        : { type: 'image', url: part.image_url };
    case 'input_file': {
      if (!part.file_data) {
        throw unsupported(
          'input_file with file_id or file_url is not supported by this gateway: send file_data (a base64 data: URL).',
          param,
        );
      }
      if (!/^data:[^;,]+;base64,/.test(part.file_data)) {
        throw new InvalidRequest(`Invalid value for '${param}.file_data': expected a base64 data: URL.`, {
          param: `${param}.file_data`,
        });
      }
      const { mediaType, data } = splitDataUrl(part.file_data);
      return part.filename ? { type: 'file', data, mediaType, name: part.filename } : { type: 'file', data, mediaType };
    }
    case 'input_audio':
      return { type: 'audio', data: part.input_audio.data, format: part.input_audio.format };
  }
}

const textOf = (parts: readonly ContentPart[]): string => parts.map((p) => (p.type === 'text' ? p.text : '')).join('');

/**
 * Input items as canonical turns: an assistant message, the function calls after it and the reasoning before it make
 * one assistant turn; function call outputs become tool messages.
 */
export function messagesFromItems(items: readonly WireInputItem[]): Message[] {
  const out: Message[] = [];
  let turn: Message | undefined;
  const flush = (): void => {
    if (turn) out.push(turn);
    turn = undefined;
  };
  for (const [i, item] of items.entries()) {
    const param = `input[${i}]`;
    switch (item.type) {
      case 'reasoning': {
        if (turn && (turn.content !== '' || turn.toolCalls)) flush();
        turn ??= { role: 'assistant', content: '' };
        const text = [...item.summary, ...(item.content ?? [])].map((p) => p.text).join('\n\n');
        turn.reasoning = turn.reasoning ? `${turn.reasoning}\n\n${text}` : text;
        if (item.encrypted_content) turn.reasoningSignature = item.encrypted_content;
        break;
      }
      case 'function_call':
        turn ??= { role: 'assistant', content: '' };
        if (!turn.toolCalls) turn.toolCalls = [];
        turn.toolCalls.push({ id: item.call_id, name: item.name, arguments: item.arguments });
        break;
      case 'function_call_output': {
        flush();
        const content =
          typeof item.output === 'string'
            ? item.output
            : item.output.map((p, j) => partFromWire(p, `${param}.output[${j}]`));
        out.push({ role: 'tool', toolCallId: item.call_id, content });
        break;
      }
      case 'message': {
        const parts =
          typeof item.content === 'string'
            ? item.content
            : item.content.map((p, j) => partFromWire(p, `${param}.content[${j}]`));
        if (item.role === 'assistant') {
          if (turn && (turn.content !== '' || turn.toolCalls)) flush();
          turn ??= { role: 'assistant', content: '' };
          turn.content = typeof parts === 'string' ? parts : textOf(parts);
          break;
        }
        flush();
        out.push({ role: item.role, content: parts });
        break;
      }
    }
  }
  flush();
  return out;
}

function toolFromWire(tool: NonNullable<WireResponsesRequest['tools']>[number]): ToolDefinition {
  const def: ToolDefinition = { name: tool.name };
  if (tool.description != null) def.description = tool.description;
  if (tool.parameters != null) def.parameters = tool.parameters;
  if (tool.strict != null) def.strict = tool.strict;
  return def;
}

/**
 * The canonical request: `history` (the stored conversation of `previous_response_id`) then this request's input, after
 * the instructions as a system message.
 */
export function chatRequestFromResponses(wire: WireResponsesRequest, history: readonly Message[]): ChatRequest {
  const input: Message[] =
    typeof wire.input === 'string' ? [{ role: 'user', content: wire.input }] : messagesFromItems(wire.input);
  const messages: Message[] = wire.instructions ? [{ role: 'system', content: wire.instructions }] : [];
  messages.push(...history, ...input);
  if (messages.length === 0) throw new InvalidRequest("Missing required parameter: 'input'.", { param: 'input' });
  const stream = wire.stream === true;
  const req: ChatRequest = { model: wire.model, messages, stream, includeUsage: stream };
  if (wire.max_output_tokens != null) req.maxTokens = wire.max_output_tokens;
  if (wire.temperature != null) req.temperature = wire.temperature;
  if (wire.top_p != null) req.topP = wire.top_p;
  if (wire.user != null) req.user = wire.user;
  if (wire.tools?.length) req.tools = wire.tools.map(toolFromWire);
  const choice = wire.tool_choice;
  if (choice != null) req.toolChoice = typeof choice === 'string' ? choice : { name: choice.name };
  if (wire.parallel_tool_calls != null) req.parallelToolCalls = wire.parallel_tool_calls;
  const format = wire.text?.format;
  if (format) {
    if (format.type === 'json_schema') {
      req.responseFormat = { type: 'json_schema', name: format.name, schema: format.schema };
      if (format.strict != null) req.responseFormat.strict = format.strict;
      if (format.description != null) req.responseFormat.description = format.description;
    } else req.responseFormat = { type: format.type };
  }
  const effort = wire.reasoning?.effort;
  // `none` asks for no reasoning (the canonical default); `xhigh` is the most any canonical effort asks.
  if (effort && effort !== 'none') req.reasoningEffort = effort === 'xhigh' ? 'high' : effort;
  return req;
}
