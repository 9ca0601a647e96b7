/** Builds Coze v3 chat requests (`POST /v3/chat`): the routed model is the bot id, the turns go as additional_messages. */
import { foldSystemMessages } from '../../core/system-fold.ts';
import type { ChatRequest, ContentPart, Message } from '../../core/types.ts';
import { refuseUnsupported } from '../../formats/openai-chat/wire.ts';
import type { Target, UpstreamCall } from '../types.ts';
import { isJwtKey } from './auth.ts';

/** One of Coze's EnterMessage objects. */
export interface CozeMessage {
  role: 'user' | 'assistant';
  type: 'question' | 'answer';
  content: string;
  content_type: 'text' | 'object_string';
}

/** Coze needs a user id per chat; requests without `user` share this one. */
export const DEFAULT_USER_ID = 'switchyard';

/** Coze fetches images itself: only an http(s) URL can be given (inline bytes would need an upload first). */
function objectPart(part: ContentPart, provider: string): Record<string, string> {
  if (part.type === 'text') return { type: 'text', text: part.text };
  if (part.type === 'image') {
    if (/^https?:\/\//i.test(part.url)) return { type: 'image', file_url: part.url };
    return refuseUnsupported('An image given as a data: URL rather than an http(s) URL', provider);
  }
  return refuseUnsupported(part.type === 'audio' ? 'Audio input' : 'File input', provider);
}

function messageToCoze(m: Message, provider: string): CozeMessage {
  if (m.role === 'tool' || m.toolCalls?.length) refuseUnsupported('Tool calls and tool results', provider);
  const role = m.role === 'assistant' ? 'assistant' : 'user';
  const type = role === 'assistant' ? 'answer' : 'question';
  if (typeof m.content === 'string') return { role, type, content: m.content, content_type: 'text' };
  if (m.content.every((p) => p.type === 'text')) {
    return { role, type, content: m.content.map((p) => (p as { text: string }).text).join(''), content_type: 'text' };
  }
  const parts = m.content.map((p) => objectPart(p, provider));
  return { role, type, content: JSON.stringify(parts), content_type: 'object_string' };
}

/**
 * The bot's own persona, model and sampling settings govern its answers: Coze takes no temperature, max_tokens or stop,
 * so those are left out rather than refused (clients send them by habit). What would change the answer's shape (tools,
 * several choices, a JSON response format) is refused. System turns have no place in additional_messages: they are
 * folded into the first user turn. The call always streams: a non-stream answer is assembled from the stream, which
 * needs no polling and no saved history.
 */
export function encodeChat(req: ChatRequest, target: Target): UpstreamCall {
  const provider = target.provider.name;
  if (req.n !== undefined && req.n > 1) refuseUnsupported('Several choices (n > 1)', provider);
  if (req.tools?.length && req.toolChoice !== 'none') refuseUnsupported('Tools (function calling)', provider);
  if (req.responseFormat && req.responseFormat.type !== 'text') refuseUnsupported('A JSON response format', provider);
  const body = {
    bot_id: target.upstreamModel,
    user_id: req.user || DEFAULT_USER_ID,
    stream: true,
    auto_save_history: false,
    additional_messages: foldSystemMessages(req.messages).map((m) => messageToCoze(m, provider)),
  };
  const headers: Record<string, string> = { 'content-type': 'application/json', ...target.provider.headers };
  // A JWT app's key is never sent: `authorize` puts the access token it buys in its place.
  if (target.key !== undefined && !isJwtKey(target.key)) headers.authorization = `Bearer ${target.key}`;
  return { url: `${target.baseUrl}/v3/chat`, headers, body: JSON.stringify(body) };
}
