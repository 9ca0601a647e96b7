/** A message's content as plain text: its text parts joined (images and other parts leave nothing). */
import type { Message } from './types.ts';

export function contentText(content: Message['content']): string {
  return typeof content === 'string' ? content : content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}
