/**
 * Mapping between the canonical request and Gemini's generateContent request body, both ways: the gemini format decodes
 * with it, the gemini and vertex providers encode with it. Answers (responses, stream chunks, usage) are in answer.ts.
 */

import { contentText } from '../../core/content.ts';
import { InvalidRequest, unparsableImageUrl } from '../../core/errors.ts';
import type { ChatRequest, ContentPart, Message, ToolCall, ToolChoice, ToolDefinition } from '../../core/types.ts';
import { refuseUnsupported } from '../openai-chat/wire.ts';
import type {
  WireContent,
  WireFunctionDeclaration,
  WireGenerateContentRequest,
  WireGenerationConfig,
  WirePart,
} from './schema.ts';

/** A part as the gateway sends it upstream or to a client (a subset of the request schema's part). */
export type GeminiPart = Record<string, unknown>;
export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

/** The body of a generateContent call, as the providers send it. */
export interface GeminiRequestBody {
  contents: GeminiContent[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: { functionDeclarations: Record<string, unknown>[] }[];
  toolConfig?: { functionCallingConfig: { mode: string; allowedFunctionNames?: string[] } };
  generationConfig?: Record<string, unknown>;
}

const DATA_URL = /^data:([^;,]+);base64,/;

const AUDIO_FORMATS: Record<string, string> = { mpeg: 'mp3', 'x-wav': 'wav', wave: 'wav' };

/** Media types by file extension, for images given by URL (Gemini's fileData wants one). */
const MEDIA_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
};

// ---- Gemini -> canonical (the inbound format) ----

/** A user-side part other than a function response, as a canonical content part; `at` names it in errors. */
function partFromWire(part: WirePart, at: string): ContentPart {
  if (part.text !== undefined) return { type: 'text', text: part.text };
  if (part.inlineData) {
    const { mimeType, data } = part.inlineData;
    const [kind, subtype = ''] = mimeType.toLowerCase().split('/');
    if (kind === 'image') return { type: 'image', url: `data:${mimeType};base64,${data}` };
    if (kind === 'audio') return { type: 'audio', data, format: AUDIO_FORMATS[subtype] ?? subtype };
    return { type: 'file', data, mediaType: mimeType };
  }
  if (part.fileData) {
    const { mimeType, fileUri } = part.fileData;
    if (mimeType === undefined || mimeType.toLowerCase().startsWith('image/')) return { type: 'image', url: fileUri };
    throw new InvalidRequest(
      `${at}.fileData: a ${mimeType} file given by URI cannot be passed on; send it as inlineData.`,
      { param: `${at}.fileData` },
    );
  }
  const kind = Object.keys(part).find((k) => k !== 'thoughtSignature' && k !== 'thought') ?? 'empty';
  throw new InvalidRequest(`${at}: a '${kind}' part is not supported by this gateway.`, { param: at });
}

/** A function response's `response` object as tool-message text: `{output}` and `{error}` unwrap, others stay JSON. */
function toolResultText(response: Record<string, unknown> | undefined): { text: string; isError: boolean } {
  const r = response ?? {};
  const keys = Object.keys(r);
  if (keys.length === 1 && 'error' in r) {
    return { text: typeof r.error === 'string' ? r.error : JSON.stringify(r.error), isError: true };
  }
  if (keys.length === 1 && typeof r.output === 'string') return { text: r.output, isError: false };
  return { text: JSON.stringify(r), isError: false };
}

function systemFromWire(system: WireGenerateContentRequest['systemInstruction']): string {
  if (system === undefined) return '';
  if (typeof system === 'string') return system;
  return system.parts.flatMap((p) => (p.text === undefined ? [] : [p.text])).join('\n');
}

/** A lone text part is just its text. */
function collapse(parts: ContentPart[]): Message['content'] {
  return parts.length === 1 && parts[0]!.type === 'text' ? parts[0]!.text : parts;
}

/**
 * Gemini turns as canonical messages. Function calls carry no ids (unless the client kept ours): each gets `call_<n>`,
 * numbered over the conversation, so the same history always decodes to the same ids; a function response answers
 * the call of the last model turn with its id, else the first unanswered one with its name, else the next unanswered.
 */
export function messagesFromWire(body: WireGenerateContentRequest): Message[] {
  const out: Message[] = [];
  const system = systemFromWire(body.systemInstruction);
  if (system) out.push({ role: 'system', content: system });
  let calls = 0;
  let pending: ToolCall[] = [];
  body.contents.forEach((content, ci) => {
    const at = (pi: number): string => `contents[${ci}].parts[${pi}]`;
    if (content.role === 'model') {
      pending = [];
      out.push(modelTurnFromWire(content, at, () => `call_${calls++}`, pending));
      return;
    }
    const parts: ContentPart[] = [];
    content.parts.forEach((part, pi) => {
      const fr = part.functionResponse;
      if (!fr) {
        parts.push(partFromWire(part, at(pi)));
        return;
      }
      const byId = fr.id === undefined ? -1 : pending.findIndex((c) => c.id === fr.id);
      const byName = pending.findIndex((c) => c.name === fr.name);
      const call = pending.splice(byId !== -1 ? byId : byName !== -1 ? byName : 0, 1)[0];
      const { text, isError } = toolResultText(fr.response);
      const images = (fr.parts ?? []).flatMap((p): ContentPart[] =>
        p.inlineData ? [{ type: 'image', url: `data:${p.inlineData.mimeType};base64,${p.inlineData.data}` }] : [],
      );
      const msg: Message = {
        role: 'tool',
        toolCallId: call?.id ?? fr.id ?? `call_${calls++}`,
        name: fr.name,
        content: images.length ? [{ type: 'text', text }, ...images] : text,
      };
      if (isError) msg.isError = true;
      out.push(msg);
    });
    if (parts.length) out.push({ role: 'user', content: collapse(parts) });
  });
  return out;
}

function modelTurnFromWire(
  content: WireContent,
  at: (pi: number) => string,
  nextId: () => string,
  pending: ToolCall[],
): Message {
  let text = '';
  let reasoning = '';
  let signature: string | undefined;
  const media: ContentPart[] = [];
  content.parts.forEach((part, pi) => {
    if (part.thoughtSignature && signature === undefined) signature = part.thoughtSignature;
    if (part.functionCall) {
      const id = part.functionCall.id ?? nextId();
      pending.push({ id, name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) });
    } else if (part.text !== undefined) {
      if (part.thought) reasoning += part.text;
      else text += part.text;
    } else if (part.inlineData || part.fileData) media.push(partFromWire(part, at(pi)));
    else if (!part.thoughtSignature) partFromWire(part, at(pi));
  });
  const msg: Message = {
    role: 'assistant',
    content: media.length ? [...(text ? [{ type: 'text' as const, text }] : []), ...media] : text,
  };
  if (pending.length) msg.toolCalls = [...pending];
  if (reasoning) msg.reasoning = reasoning;
  if (signature !== undefined) msg.reasoningSignature = signature;
  return msg;
}

const TYPE_NAMES = new Set(['STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL']);
const COUNTS = new Set(['minItems', 'maxItems', 'minLength', 'maxLength', 'minProperties', 'maxProperties']);

/**
 * Google's OpenAPI-subset Schema (`type: "OBJECT"`, `nullable`, counts as int64 strings, `propertyOrdering`) as plain
 * JSON Schema, which every other provider takes.
 */
export function schemaFromGemini(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(schemaFromGemini);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  let nullable = false;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'propertyOrdering') continue;
    if (key === 'nullable') nullable = value === true;
    else if (key === 'type' && typeof value === 'string' && TYPE_NAMES.has(value)) out.type = value.toLowerCase();
    else if (COUNTS.has(key) && typeof value === 'string' && /^\d+$/.test(value)) out[key] = Number(value);
    else if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, schemaFromGemini(v)]));
    } else if (key === 'items' || key === 'anyOf') out[key] = schemaFromGemini(value);
    else out[key] = value;
  }
  if (nullable && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

function declarationFromWire(d: WireFunctionDeclaration): ToolDefinition {
  const def: ToolDefinition = { name: d.name };
  if (d.description !== undefined) def.description = d.description;
  const parameters = d.parametersJsonSchema ?? (d.parameters && schemaFromGemini(d.parameters));
  if (parameters) def.parameters = parameters as Record<string, unknown>;
  return def;
}

/** Gemini's tools and function-calling mode as canonical tools and tool choice; other tool kinds are refused. */
function toolsFromWire(body: WireGenerateContentRequest, req: ChatRequest): void {
  const tools: ToolDefinition[] = [];
  body.tools?.forEach((tool, i) => {
    const other = Object.keys(tool).find((k) => k !== 'functionDeclarations');
    if (other !== undefined) {
      throw new InvalidRequest(`tools[${i}].${other}: only functionDeclarations tools are supported by this gateway.`, {
        param: `tools[${i}].${other}`,
      });
    }
    for (const d of tool.functionDeclarations ?? []) tools.push(declarationFromWire(d));
  });
  const config = body.toolConfig?.functionCallingConfig;
  const allowed = config?.allowedFunctionNames;
  let choice: ToolChoice | undefined;
  if (config?.mode === 'NONE') choice = 'none';
  else if (config?.mode === 'ANY') choice = allowed?.length === 1 ? { name: allowed[0]! } : 'required';
  else if (config?.mode === 'AUTO' || config?.mode === 'VALIDATED') choice = 'auto';
  // Several allowed names have no canonical form: the tools offered narrow to them.
  const offered = allowed && allowed.length > 1 ? tools.filter((t) => allowed.includes(t.name)) : tools;
  if (offered.length) req.tools = offered;
  if (choice !== undefined) req.toolChoice = choice;
}

function generationFromWire(config: WireGenerationConfig | undefined, req: ChatRequest): void {
  if (!config) return;
  if (config.candidateCount !== undefined && config.candidateCount > 1) {
    throw new InvalidRequest('generationConfig.candidateCount above 1 is not supported by this gateway.', {
      param: 'generationConfig.candidateCount',
    });
  }
  if (config.maxOutputTokens !== undefined) req.maxTokens = config.maxOutputTokens;
  if (config.temperature !== undefined) req.temperature = config.temperature;
  if (config.topP !== undefined) req.topP = config.topP;
  if (config.topK !== undefined) req.topK = config.topK;
  if (config.stopSequences?.length) req.stop = config.stopSequences;
  if (config.seed !== undefined) req.seed = config.seed;
  if (config.presencePenalty !== undefined) req.presencePenalty = config.presencePenalty;
  if (config.frequencyPenalty !== undefined) req.frequencyPenalty = config.frequencyPenalty;
  const schema = config.responseJsonSchema ?? (config.responseSchema && schemaFromGemini(config.responseSchema));
  if (config.responseMimeType === 'application/json') {
    req.responseFormat = schema
      ? { type: 'json_schema', name: 'response', schema: schema as Record<string, unknown> }
      : { type: 'json_object' };
  }
  const thinking = config.thinkingConfig;
  if (thinking) {
    const level = thinking.thinkingLevel;
    if (level !== undefined && level !== 'thinking_level_unspecified') req.reasoningEffort = level;
    const budget = thinking.thinkingBudget;
    if (budget !== undefined && budget > 0) req.thinking = { budgetTokens: budget };
    else if (budget === -1 || thinking.includeThoughts === true || req.reasoningEffort !== undefined) req.thinking = {};
  }
}

/** A validated GenerateContentRequest as a canonical request; the model and streaming come from the URL. */
export function chatRequestFromWire(body: WireGenerateContentRequest, model: string, stream: boolean): ChatRequest {
  if (body.cachedContent !== undefined) {
    // The cache lives at Google: no other provider has its content.
    throw new InvalidRequest('cachedContent is not supported by this gateway; send the content itself.', {
      param: 'cachedContent',
    });
  }
  // A Gemini stream always ends with usageMetadata, so the client gets usage whether or not it asked.
  const req: ChatRequest = { model, messages: messagesFromWire(body), stream, includeUsage: stream };
  toolsFromWire(body, req);
  generationFromWire(body.generationConfig, req);
  return req;
}

// ---- canonical -> Gemini (the providers) ----

/** The media type an image URL's file extension names, which Gemini's fileData needs; undefined for none known. */
export function urlMediaType(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : MEDIA_TYPES[extension];
}

function imageToWire(url: string, provider: string): GeminiPart {
  const data = DATA_URL.exec(url);
  if (data) return { inlineData: { mimeType: data[1], data: url.slice(data[0].length) } };
  if (url.startsWith('data:')) {
    return refuseUnsupported('An image data: URL that is not base64', provider);
  }
  if (!URL.canParse(url)) throw unparsableImageUrl();
  const mimeType = urlMediaType(url);
  if (mimeType === undefined) {
    const shown = url.length > 80 ? `${url.slice(0, 80)}…` : url;
    return refuseUnsupported(`An image URL without a known image file extension (${shown})`, provider);
  }
  return { fileData: { mimeType, fileUri: url } };
}

function partToWire(part: ContentPart, provider: string): GeminiPart {
  switch (part.type) {
    case 'text':
      return { text: part.text };
    case 'image':
      return imageToWire(part.url, provider);
    case 'audio':
      return { inlineData: { mimeType: `audio/${part.format}`, data: part.data } };
    case 'file':
      return { inlineData: { mimeType: part.mediaType, data: part.data } };
  }
}

function partsToWire(content: Message['content'], provider: string): GeminiPart[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  return content.filter((p) => p.type !== 'text' || p.text).map((p) => partToWire(p, provider));
}

/** Tool-call arguments as the object Gemini's `args` must be; `param` names the call in the 400 otherwise. */
function argsObject(text: string, param: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let args: unknown;
  try {
    args = JSON.parse(text);
  } catch {
    throw new InvalidRequest(`${param}: the arguments are not valid JSON.`, { param });
  }
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new InvalidRequest(`${param}: the arguments must be a JSON object.`, { param });
  }
  return args as Record<string, unknown>;
}

/** A tool result as Gemini's `response` object: `{error}` for a failure, a JSON object as is, other text as `{output}`. */
function toolResponse(m: Message): Record<string, unknown> {
  const text = contentText(m.content);
  if (m.isError) return { error: text };
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // plain text after all
    }
  }
  return { output: text };
}

/** The signature Google documents for function calls the model did not make itself (it skips the check). */
export const NO_SIGNATURE = 'skip_thought_signature_validator';

function modelTurnToWire(m: Message, i: number, provider: string): GeminiPart[] {
  // Reasoning text is not sent back: Gemini keeps its reasoning context through the signature.
  const parts = partsToWire(m.content, provider);
  const calls = (m.toolCalls ?? []).map(
    (c, j): GeminiPart => ({
      functionCall: { name: c.name, args: argsObject(c.arguments, `messages[${i}].tool_calls[${j}]`) },
    }),
  );
  // Where Google puts it: on the first function call of a turn with calls, else on the last part. Gemini 3 refuses
  // calls without one; turns that never had one (another model's, an OpenAI client's) carry the documented stand-in.
  const signed = calls[0] ?? parts.at(-1);
  const signature = m.reasoningSignature ?? (calls.length ? NO_SIGNATURE : undefined);
  if (signature !== undefined && signed) signed.thoughtSignature = signature;
  return [...parts, ...calls];
}

/**
 * Canonical turns as Gemini contents: system and developer text becomes systemInstruction; a run of tool results is
 * one user turn of functionResponse parts (named after the calls they answer), images a tool returned after them.
 */
export function contentsToWire(
  messages: readonly Message[],
  provider: string,
): Pick<GeminiRequestBody, 'contents' | 'systemInstruction'> {
  const system: { text: string }[] = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  let toolTurn: GeminiContent | undefined;
  let toolMedia: GeminiPart[] = [];
  const closeToolTurn = (): void => {
    if (toolTurn) toolTurn.parts.push(...toolMedia);
    toolTurn = undefined;
    toolMedia = [];
  };
  messages.forEach((m, i) => {
    if (m.role !== 'tool') closeToolTurn();
    switch (m.role) {
      case 'system':
      case 'developer': {
        if (typeof m.content !== 'string' && m.content.some((p) => p.type !== 'text')) {
          refuseUnsupported('Images or files in a system message', provider);
        }
        const text = contentText(m.content);
        if (text) system.push({ text });
        break;
      }
      case 'user': {
        const parts = partsToWire(m.content, provider);
        if (parts.length) contents.push({ role: 'user', parts });
        break;
      }
      case 'assistant': {
        for (const c of m.toolCalls ?? []) callNames.set(c.id, c.name);
        const parts = modelTurnToWire(m, i, provider);
        if (parts.length) contents.push({ role: 'model', parts });
        break;
      }
      case 'tool': {
        const name = (m.toolCallId !== undefined && callNames.get(m.toolCallId)) || m.name;
        if (!name) {
          throw new InvalidRequest(
            `messages[${i}]: the tool result answers the tool call '${m.toolCallId ?? ''}', which no earlier assistant message made.`,
            { param: `messages[${i}].tool_call_id` },
          );
        }
        if (!toolTurn) {
          toolTurn = { role: 'user', parts: [] };
          contents.push(toolTurn);
        }
        toolTurn.parts.push({ functionResponse: { name, response: toolResponse(m) } });
        if (typeof m.content !== 'string') {
          toolMedia.push(...m.content.filter((p) => p.type !== 'text').map((p) => partToWire(p, provider)));
        }
        break;
      }
    }
  });
  closeToolTurn();
  return system.length ? { contents, systemInstruction: { parts: system } } : { contents };
}

/** A tool's JSON Schema for `parametersJsonSchema` (full JSON Schema; only the root `$schema` is refused). */
function parametersToWire(parameters: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _, ...rest } = parameters;
  return rest;
}

function toolsToWire(req: ChatRequest, body: GeminiRequestBody): void {
  if (req.tools?.length) {
    body.tools = [
      {
        functionDeclarations: req.tools.map((t) => {
          const d: Record<string, unknown> = { name: t.name };
          if (t.description !== undefined) d.description = t.description;
          if (t.parameters !== undefined) d.parametersJsonSchema = parametersToWire(t.parameters);
          return d;
        }),
      },
    ];
  }
  const choice = req.toolChoice;
  if (choice === undefined) return;
  if (typeof choice !== 'string') {
    body.toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
  } else {
    body.toolConfig = { functionCallingConfig: { mode: { auto: 'AUTO', none: 'NONE', required: 'ANY' }[choice] } };
  }
}

/** Thinking budgets for reasoning_effort, as LiteLLM maps it to Gemini. */
const EFFORT_BUDGETS = { minimal: 128, low: 1024, medium: 2048, high: 4096 } as const;

function generationToWire(req: ChatRequest, provider: string): Record<string, unknown> | undefined {
  if (req.n !== undefined && req.n > 1) refuseUnsupported('Several choices (n > 1)', provider);
  const config: Record<string, unknown> = {};
  if (req.maxTokens !== undefined) config.maxOutputTokens = req.maxTokens;
  if (req.temperature !== undefined) config.temperature = req.temperature;
  if (req.topP !== undefined) config.topP = req.topP;
  if (req.topK !== undefined) config.topK = req.topK;
  if (req.stop?.length) config.stopSequences = req.stop;
  if (req.seed !== undefined) config.seed = req.seed;
  if (req.presencePenalty !== undefined) config.presencePenalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) config.frequencyPenalty = req.frequencyPenalty;
  const rf = req.responseFormat;
  if (rf && rf.type !== 'text') {
    config.responseMimeType = 'application/json';
    if (rf.type === 'json_schema' && rf.schema) config.responseJsonSchema = parametersToWire(rf.schema);
  }
  const budget =
    req.thinking?.budgetTokens ?? (req.reasoningEffort === undefined ? undefined : EFFORT_BUDGETS[req.reasoningEffort]);
  if (req.thinking || req.reasoningEffort !== undefined) {
    config.thinkingConfig =
      budget === undefined ? { includeThoughts: true } : { includeThoughts: true, thinkingBudget: budget };
  }
  return Object.keys(config).length ? config : undefined;
}

/** The generateContent body for a canonical request (the model and streaming go in the URL). */
export function chatRequestToWire(req: ChatRequest, provider: string): GeminiRequestBody {
  const body: GeminiRequestBody = contentsToWire(req.messages, provider);
  toolsToWire(req, body);
  const config = generationToWire(req, provider);
  if (config) body.generationConfig = config;
  return body;
}
