/** Builds Ollama native API requests (/api/chat, /api/generate, /api/embed) from the canonical form. */
import { InvalidRequest } from '../../core/errors.ts';
import type {
  ChatRequest,
  CompletionRequest,
  ContentPart,
  EmbeddingRequest,
  Message,
  ResponseFormat,
  ToolCall,
} from '../../core/types.ts';
import { refuseUnsupported } from '../../formats/openai-chat/wire.ts';
import type { Target, UpstreamCall } from '../types.ts';

export interface OllamaToolCall {
  id?: string;
  function: { index?: number; name: string; arguments: Record<string, unknown> };
}

export interface OllamaMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  images?: string[];
  thinking?: string;
  tool_calls?: OllamaToolCall[];
  tool_name?: string;
  tool_call_id?: string;
}

const API_SUFFIX = /\/api$/;
const DATA_URL = /^data:([^,]*?)(;base64)?,/;

export function headers(target: Pick<Target, 'key' | 'provider'>): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json', ...target.provider.headers };
  // Ollama itself has no keys; one configured is for an auth proxy in front of it, or ollama.com.
  if (target.key !== undefined) h.authorization = `Bearer ${target.key}`;
  return h;
}

/** `{server}{path}`; a base URL given with Ollama's `/api` suffix is taken for the server's root. */
export function apiUrl(target: Pick<Target, 'baseUrl'>, path: string): string {
  return target.baseUrl.replace(API_SUFFIX, '') + path;
}

function post(target: Target, path: string, body: Record<string, unknown>): UpstreamCall {
  return {
    url: apiUrl(target, path),
    headers: headers(target),
    body: JSON.stringify(body),
  };
}

/** Ollama takes images as bare base64: data: URLs convert, remote URLs cannot be carried. */
function imageBase64(url: string, provider: string): string {
  const match = DATA_URL.exec(url);
  if (!match) {
    const shown = url.length > 80 ? `${url.slice(0, 80)}…` : url;
    return refuseUnsupported(`An image given by URL (${shown}) rather than as a data: URL`, provider);
  }
  const payload = url.slice(match[0].length);
  if (match[2]) return payload;
  try {
    return Buffer.from(decodeURIComponent(payload), 'utf8').toString('base64');
  } catch {
    throw new InvalidRequest('An image data: URL is not validly percent-encoded.', { param: 'messages' });
  }
}

function textOf(parts: ContentPart[], provider: string): { text: string; images: string[] } {
  const texts: string[] = [];
  const images: string[] = [];
  for (const part of parts) {
    if (part.type === 'text') texts.push(part.text);
    else if (part.type === 'image') images.push(imageBase64(part.url, provider));
    else refuseUnsupported('Audio input', provider);
  }
  return { text: texts.join('\n'), images };
}

function argumentsObject(call: ToolCall, param: string): Record<string, unknown> {
  if (call.arguments.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(call.arguments);
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  throw new InvalidRequest(
    `The arguments of tool call '${call.name}' are not a JSON object; Ollama accepts only objects.`,
    { param },
  );
}

export function messagesToOllama(messages: Message[], provider: string): OllamaMessage[] {
  // Ollama pairs a tool result with its call by the tool's name: remember which id named which tool.
  const toolNames = new Map<string, string>();
  return messages.map((m, i) => {
    const role = m.role === 'developer' ? 'system' : m.role;
    const out: OllamaMessage = { role, content: '' };
    if (typeof m.content === 'string') {
      out.content = m.content;
    } else {
      const { text, images } = textOf(m.content, provider);
      out.content = text;
      if (images.length) out.images = images;
    }
    if (m.reasoning) out.thinking = m.reasoning;
    if (m.toolCalls?.length) {
      out.tool_calls = m.toolCalls.map((call, j) => {
        toolNames.set(call.id, call.name);
        const wire: OllamaToolCall = {
          function: { name: call.name, arguments: argumentsObject(call, `messages[${i}].tool_calls[${j}]`) },
        };
        if (call.id) wire.id = call.id;
        return wire;
      });
    }
    if (m.role === 'tool') {
      const name = m.name ?? (m.toolCallId === undefined ? undefined : toolNames.get(m.toolCallId));
      if (name !== undefined) out.tool_name = name;
      if (m.toolCallId !== undefined) out.tool_call_id = m.toolCallId;
    }
    return out;
  });
}

/**
 * Ollama has no tool_choice: `none` sends no tools, a named tool sends only that one, and `required` cannot be
 * enforced, so the tools go as they are and the model decides.
 */
function toolsFor(req: ChatRequest): Record<string, unknown>[] | undefined {
  if (!req.tools?.length || req.toolChoice === 'none') return undefined;
  const choice = req.toolChoice;
  const tools = typeof choice === 'object' ? req.tools.filter((t) => t.name === choice.name) : req.tools;
  return tools.map((t) => {
    const fn: Record<string, unknown> = {
      name: t.name,
      parameters: t.parameters ?? { type: 'object', properties: {} },
    };
    if (t.description !== undefined) fn.description = t.description;
    return { type: 'function', function: fn };
  });
}

function formatFor(rf: ResponseFormat | undefined): unknown {
  if (!rf || rf.type === 'text') return undefined;
  if (rf.type === 'json_schema' && rf.schema) return rf.schema;
  return 'json';
}

type Sampling = Pick<ChatRequest, 'maxTokens' | 'temperature' | 'topP' | 'stop' | 'seed'> &
  Partial<Pick<ChatRequest, 'presencePenalty' | 'frequencyPenalty'>>;

function optionsFor(req: Sampling): Record<string, unknown> | undefined {
  const options: Record<string, unknown> = {};
  if (req.temperature !== undefined) options.temperature = req.temperature;
  if (req.topP !== undefined) options.top_p = req.topP;
  if (req.maxTokens !== undefined) options.num_predict = req.maxTokens;
  if (req.stop !== undefined) options.stop = req.stop;
  if (req.seed !== undefined) options.seed = req.seed;
  if (req.presencePenalty !== undefined) options.presence_penalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) options.frequency_penalty = req.frequencyPenalty;
  return Object.keys(options).length ? options : undefined;
}

export function encodeChat(req: ChatRequest, target: Target): UpstreamCall {
  const provider = target.provider.name;
  if (req.n !== undefined && req.n > 1) refuseUnsupported('Several choices (n > 1)', provider);
  // `stream` is always explicit: Ollama streams when it is left out.
  const body: Record<string, unknown> = {
    model: target.upstreamModel,
    messages: messagesToOllama(req.messages, provider),
    stream: req.stream,
  };
  const tools = toolsFor(req);
  if (tools) body.tools = tools;
  const format = formatFor(req.responseFormat);
  if (format !== undefined) body.format = format;
  const options = optionsFor(req);
  if (options) body.options = options;
  // Ollama's levels are low/medium/high; it maps OpenAI's `minimal` to `low` itself.
  if (req.reasoningEffort !== undefined) body.think = req.reasoningEffort === 'minimal' ? 'low' : req.reasoningEffort;
  return post(target, '/api/chat', body);
}

/**
 * OpenAI's completions continue the prompt text as given, so it goes `raw` (no chat template). One request carries
 * one prompt.
 */
export function encodeCompletion(req: CompletionRequest, target: Target): UpstreamCall {
  let prompt: string;
  if (typeof req.prompt === 'string') prompt = req.prompt;
  else if (req.prompt.length <= 1) prompt = req.prompt[0] ?? '';
  else {
    throw new InvalidRequest(
      `The provider '${target.provider.name}' (Ollama) completes one prompt per request; send the ${req.prompt.length} prompts separately.`,
      { param: 'prompt', code: 'unsupported_feature' },
    );
  }
  const body: Record<string, unknown> = { model: target.upstreamModel, prompt, stream: req.stream, raw: true };
  const options = optionsFor(req);
  if (options) body.options = options;
  return post(target, '/api/generate', body);
}

export function encodeEmbedding(req: EmbeddingRequest, target: Target): UpstreamCall {
  const input = req.input;
  const isText = typeof input === 'string' || (input as unknown[]).every((item) => typeof item === 'string');
  if (!isText) refuseUnsupported('Embedding input given as token arrays', target.provider.name);
  const body: Record<string, unknown> = { model: target.upstreamModel, input };
  if (req.dimensions !== undefined) body.dimensions = req.dimensions;
  return post(target, '/api/embed', body);
}
