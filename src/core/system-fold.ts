/** Folds system (and developer) messages into the first user message, for models that have no system role. */
import type { ContentPart, Message } from './types.ts';

function text(content: Message['content']): string {
  return typeof content === 'string' ? content : content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

export function foldSystemMessages(messages: Message[]): Message[] {
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer');
  if (system.length === 0) return messages;
  const preface = system.map((m) => text(m.content)).join('\n\n');
  const rest = messages.filter((m) => m.role !== 'system' && m.role !== 'developer');
  const firstUser = rest.findIndex((m) => m.role === 'user');
  if (firstUser === -1) return [{ role: 'user', content: preface }, ...rest];
  const user = rest[firstUser]!;
  const content: Message['content'] =
    typeof user.content === 'string'
      ? `${preface}\n\n${user.content}`
      : [{ type: 'text', text: `${preface}\n\n` } satisfies ContentPart, ...user.content];
  return rest.map((m, i) => (i === firstUser ? { ...m, content } : m));
}
