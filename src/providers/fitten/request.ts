/**
 * Builds Fitten Code chat calls (`POST /codeapi/chat_auth`) as fitten-code-api does: the conversation is one prompt,
 * each turn `<|role|>\nTEXT\n<|end|>`, an empty system turn first when there is none, `<|assistant|>` last.
 */
import { InvalidRequest } from '../../core/errors.ts';
import type { ChatRequest, Message } from '../../core/types.ts';
import { refuseUnsupported } from '../../formats/openai-chat/wire.ts';
import type { Target, UpstreamCall } from '../types.ts';

/** fitten-code-api presents itself as a desktop browser (Edge 128), as Fitten's web chat is one; `headers` may override. */
const BROWSER_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36 Edg/128.0.0.0';

function textOf(m: Message, provider: string): string {
  if (typeof m.content === 'string') return m.content;
  return m.content
    .map((p) =>
      p.type === 'text' ? p.text : refuseUnsupported(p.type === 'image' ? 'Image input' : `${p.type} input`, provider),
    )
    .join('');
}

/** The prompt: turns in order; system and developer turns stay where they are, as fitten-code-api keeps them. */
export function fittenInputs(messages: readonly Message[], provider: string): string {
  const turns: string[] = [];
  let hasSystem = false;
  let hasUser = false;
  for (const m of messages) {
    if (m.role === 'tool' || m.toolCalls?.length) refuseUnsupported('Tool calls and tool results', provider);
    const role = m.role === 'developer' ? 'system' : m.role;
    hasSystem ||= role === 'system';
    hasUser ||= role === 'user';
    turns.push(`<|${role}|>\n${textOf(m, provider)}\n<|end|>`);
  }
  if (!hasUser) throw new InvalidRequest('Fitten Code needs at least one user message.', { param: 'messages' });
  if (!hasSystem) turns.unshift('<|system|>\n<|end|>');
  return `${turns.join('\n')}\n<|assistant|>`;
}

/**
 * Fitten Code takes nothing but the prompt: sampling settings are left out (clients send them by habit), what would
 * change the answer's shape (tools, several choices) is refused. The user id (`ft_token`, `apikey`) and the access
 * token are added by `authorize`. Fitten always streams; a non-stream answer is assembled from the stream.
 */
export function encodeChat(req: ChatRequest, target: Target): UpstreamCall {
  const provider = target.provider.name;
  if (req.n !== undefined && req.n > 1) refuseUnsupported('Several choices (n > 1)', provider);
  if (req.tools?.length && req.toolChoice !== 'none') refuseUnsupported('Tools (function calling)', provider);
  return {
    url: `${target.baseUrl}/codeapi/chat_auth`,
    headers: { 'content-type': 'application/json', 'user-agent': BROWSER_USER_AGENT, ...target.provider.headers },
    body: JSON.stringify({ inputs: fittenInputs(req.messages, provider) }),
  };
}
