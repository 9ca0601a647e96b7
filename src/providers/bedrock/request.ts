/** Builds Bedrock Converse / ConverseStream calls from the canonical form. */

import { contentText } from '../../core/content.ts';
import type { ChatRequest, ContentPart, Message, ToolCall } from '../../core/types.ts';
import { refuseUnsupported, splitDataUrl } from '../../formats/openai-chat/wire.ts';
import type { Target, UpstreamCall } from '../types.ts';

type Block = Record<string, unknown>;

const IMAGE_FORMATS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};
const DOCUMENT_FORMATS: Record<string, string> = {
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'text/csv': 'csv',
  'text/html': 'html',
  'text/markdown': 'md',
};

/** Bedrock's default when the request names no max_tokens and DEFAULT_MAX_TOKEN is not set. */
export const DEFAULT_MAX_TOKENS = 4096;
const DEFAULT_THINKING_BUDGET = 4096;

function partToBlock(part: ContentPart, provider: string): Block {
  switch (part.type) {
    case 'text':
      return { text: part.text };
    case 'image': {
      // Converse takes image bytes only: the relay fetched http(s) URLs (image_fetch); any other URL cannot be carried.
      if (!part.url.startsWith('data:'))
        refuseUnsupported('An image given by URL (Bedrock takes image bytes)', provider);
      const { mediaType, data } = splitDataUrl(part.url);
      const format = IMAGE_FORMATS[mediaType];
      if (!format) refuseUnsupported(`An image of type ${mediaType}`, provider);
      return { image: { format, source: { bytes: data } } };
    }
    case 'file': {
      const format = DOCUMENT_FORMATS[part.mediaType];
      if (!format) refuseUnsupported(`A document of type ${part.mediaType}`, provider);
      // Bedrock document names allow letters, digits, spaces, hyphens, parentheses and brackets only.
      const name = (part.name ?? 'document').replace(/[^A-Za-z0-9 ()[\]-]/g, ' ').trim() || 'document';
      return { document: { format, name, source: { bytes: part.data } } };
    }
    case 'audio':
      return refuseUnsupported('Audio input', provider);
  }
}

function contentBlocks(content: Message['content'], provider: string): Block[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  return content.map((part) => partToBlock(part, provider));
}

function toolUse(call: ToolCall): Block {
  let input: unknown = {};
  try {
    input = call.arguments.trim() ? JSON.parse(call.arguments) : {};
  } catch {
    input = {};
  }
  return { toolUse: { toolUseId: call.id, name: call.name, input } };
}

/** Converse's turns: system text apart, tool results in user turns, consecutive same-role turns merged. */
function conversation(req: ChatRequest, provider: string): { system: Block[]; messages: Block[] } {
  const system: Block[] = [];
  const messages: { role: 'user' | 'assistant'; content: Block[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]): void => {
    const last = messages.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of req.messages) {
    if (m.role === 'system' || m.role === 'developer') {
      const text = contentText(m.content);
      if (text) system.push({ text });
    } else if (m.role === 'tool') {
      const content = contentBlocks(m.content, provider);
      const result: Block = { toolUseId: m.toolCallId ?? '', content: content.length ? content : [{ text: '' }] };
      if (m.isError) result.status = 'error';
      push('user', [{ toolResult: result }]);
    } else if (m.role === 'assistant') {
      const blocks: Block[] = [];
      // Claude on Bedrock checks the signature of its own reasoning; unsigned reasoning (another vendor's) stays out.
      if (m.reasoning && m.reasoningSignature) {
        blocks.push({ reasoningContent: { reasoningText: { text: m.reasoning, signature: m.reasoningSignature } } });
      }
      blocks.push(...contentBlocks(m.content, provider), ...(m.toolCalls ?? []).map(toolUse));
      if (blocks.length) push('assistant', blocks);
    } else {
      const blocks = contentBlocks(m.content, provider);
      push('user', blocks.length ? blocks : [{ text: ' ' }]);
    }
  }
  return { system, messages };
}

export function converseBody(req: ChatRequest, target: Target): Record<string, unknown> {
  const provider = target.provider.name;
  if (req.n !== undefined && req.n > 1) refuseUnsupported('n > 1', provider);
  if (req.responseFormat && req.responseFormat.type !== 'text') refuseUnsupported('response_format', provider);
  const { system, messages } = conversation(req, provider);
  const body: Record<string, unknown> = { messages };
  if (system.length) body.system = system;
  const inference: Record<string, unknown> = {
    maxTokens: req.maxTokens ?? target.defaultMaxTokens ?? DEFAULT_MAX_TOKENS,
  };
  const extra: Record<string, unknown> = {};
  if (req.thinking) {
    const budget = Math.max(1024, req.thinking.budgetTokens ?? DEFAULT_THINKING_BUDGET);
    extra.thinking = { type: 'enabled', budget_tokens: budget };
    if ((inference.maxTokens as number) <= budget) inference.maxTokens = budget + DEFAULT_MAX_TOKENS;
  } else {
    if (req.temperature !== undefined) inference.temperature = req.temperature;
    if (req.topP !== undefined) inference.topP = req.topP;
    if (req.topK !== undefined) extra.top_k = req.topK;
  }
  if (req.stop?.length) inference.stopSequences = req.stop;
  body.inferenceConfig = inference;
  if (Object.keys(extra).length) body.additionalModelRequestFields = extra;
  if (req.tools?.length && req.toolChoice !== 'none') {
    const toolConfig: Record<string, unknown> = {
      tools: req.tools.map((t) => ({
        toolSpec: {
          name: t.name,
          ...(t.description ? { description: t.description } : {}),
          inputSchema: { json: t.parameters ?? { type: 'object', properties: {} } },
        },
      })),
    };
    const choice = req.toolChoice;
    if (choice === 'required') toolConfig.toolChoice = { any: {} };
    else if (typeof choice === 'object') toolConfig.toolChoice = { tool: { name: choice.name } };
    else if (choice === 'auto') toolConfig.toolChoice = { auto: {} };
    body.toolConfig = toolConfig;
  }
  return body;
}

/** `{base}/model/{modelId}/converse` (or `/converse-stream`); model ids and inference-profile ARNs are one path segment. */
export function encodeChat(req: ChatRequest, target: Target): UpstreamCall {
  const action = req.stream ? 'converse-stream' : 'converse';
  return {
    url: `${target.baseUrl}/model/${encodeURIComponent(target.upstreamModel)}/${action}`,
    headers: { 'content-type': 'application/json', accept: 'application/json', ...target.provider.headers },
    body: JSON.stringify(converseBody(req, target)),
  };
}
