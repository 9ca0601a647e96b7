/** Builds signed Tencent Hunyuan ChatCompletions calls (API 3.0, version 2023-09-01) from the canonical form. */
import type { ChatRequest, ContentPart, Message, ToolDefinition } from '../../core/types.ts';
import { refuseUnsupported } from '../../formats/openai-chat/wire.ts';
import { requirePair } from '../qianfan/auth.ts';
import type { Target, UpstreamCall } from '../types.ts';
import { KEY_FORM, tc3Authorization } from './auth.ts';

const SERVICE = 'hunyuan';
const ACTION = 'ChatCompletions';
const VERSION = '2023-09-01';
const CONTENT_TYPE = 'application/json';

// Base URLs are few and fixed per provider: find each one's host once.
const hosts = new Map<string, string>();
function hostOf(baseUrl: string): string {
  let host = hosts.get(baseUrl);
  if (host === undefined) {
    host = new URL(baseUrl).host;
    hosts.set(baseUrl, host);
  }
  return host;
}

interface HunyuanToolCall {
  Id: string;
  Type: 'function';
  Function: { Name: string; Arguments: string };
}

export interface HunyuanMessage {
  Role: 'system' | 'user' | 'assistant' | 'tool';
  Content?: string;
  Contents?: Record<string, unknown>[];
  ToolCallId?: string;
  ToolCalls?: HunyuanToolCall[];
}

const textOnly = (content: Message['content']): string =>
  typeof content === 'string' ? content : content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');

function contents(parts: ContentPart[], provider: string): Record<string, unknown>[] {
  return parts.map((part) => {
    if (part.type === 'text') return { Type: 'text', Text: part.text };
    // The vision models take http(s) and base64 data: URLs alike.
    if (part.type === 'image') return { Type: 'image_url', ImageUrl: { Url: part.url } };
    return refuseUnsupported('Audio input', provider);
  });
}

/** System and developer messages become one leading system message: Hunyuan accepts it only first. */
export function messagesToHunyuan(messages: Message[], provider: string): HunyuanMessage[] {
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer');
  const out: HunyuanMessage[] = system.length
    ? [{ Role: 'system', Content: system.map((m) => textOnly(m.content)).join('\n\n') }]
    : [];
  for (const m of messages) {
    if (m.role === 'system' || m.role === 'developer') continue;
    const wire: HunyuanMessage = { Role: m.role };
    if (typeof m.content === 'string') wire.Content = m.content;
    else if (m.content.some((p) => p.type !== 'text')) wire.Contents = contents(m.content, provider);
    else wire.Content = textOnly(m.content);
    if (m.toolCalls?.length) {
      wire.ToolCalls = m.toolCalls.map((c) => ({
        Id: c.id,
        Type: 'function',
        Function: { Name: c.name, Arguments: c.arguments },
      }));
    }
    if (m.role === 'tool' && m.toolCallId !== undefined) wire.ToolCallId = m.toolCallId;
    out.push(wire);
  }
  return out;
}

const toolToWire = (t: ToolDefinition): Record<string, unknown> => ({
  Type: 'function',
  // Hunyuan takes the JSON Schema as text.
  Function: {
    Name: t.name,
    Description: t.description ?? '',
    Parameters: JSON.stringify(t.parameters ?? { type: 'object', properties: {} }),
  },
});

function toolsFor(req: ChatRequest, body: Record<string, unknown>): void {
  if (!req.tools?.length) return;
  body.Tools = req.tools.map(toolToWire);
  const choice = req.toolChoice;
  // `required` can be forced only when there is one tool to force.
  const forced =
    typeof choice === 'object'
      ? choice.name
      : choice === 'required' && req.tools.length === 1
        ? req.tools[0]!.name
        : '';
  if (forced) {
    body.ToolChoice = 'custom';
    body.CustomTool = { Type: 'function', Function: { Name: forced } };
  } else if (choice === 'none' || choice === 'auto') body.ToolChoice = choice;
}

export function chatBody(req: ChatRequest, target: Target): Record<string, unknown> {
  const provider = target.provider.name;
  if (req.n !== undefined && req.n > 1) refuseUnsupported('Several choices (n > 1)', provider);
  if (req.responseFormat && req.responseFormat.type !== 'text') {
    refuseUnsupported(`The ${req.responseFormat.type} response format`, provider);
  }
  // Hunyuan has no output length limit to set: max_tokens is not carried.
  const body: Record<string, unknown> = {
    Model: target.upstreamModel,
    Messages: messagesToHunyuan(req.messages, provider),
    Stream: req.stream,
  };
  if (req.temperature !== undefined) body.Temperature = req.temperature;
  if (req.topP !== undefined) body.TopP = req.topP;
  if (req.stop?.length) body.Stop = req.stop;
  if (req.seed !== undefined) body.Seed = req.seed;
  toolsFor(req, body);
  return body;
}

/** The signed call; the signature covers this body and the current time (Tencent allows five minutes of skew). */
export function encodeChat(req: ChatRequest, target: Target): UpstreamCall {
  const pair = requirePair(target, KEY_FORM);
  const body = JSON.stringify(chatBody(req, target));
  const timestamp = Math.floor(Date.now() / 1000);
  const authorization = tc3Authorization({
    secretId: pair.id,
    secretKey: pair.secret,
    service: SERVICE,
    host: hostOf(target.baseUrl),
    contentType: CONTENT_TYPE,
    payload: body,
    timestamp,
  });
  return {
    url: `${target.baseUrl}/`,
    headers: {
      ...target.provider.headers,
      'content-type': CONTENT_TYPE,
      'x-tc-action': ACTION,
      'x-tc-version': VERSION,
      'x-tc-timestamp': String(timestamp),
      authorization,
    },
    body,
  };
}
