/**
 * Token counts of a canonical request: exact with OpenAI's o200k tokenizer (count_tokens endpoints, billing when
 * upstream reports nothing), or a cheap estimate for figures a client needs before upstream has spoken.
 */

import { createRequire } from 'node:module';
import { Tiktoken } from 'js-tiktoken/lite';
import type { ChatRequest, Message, Usage } from '../core/types.ts';

// Building the encoder takes ~0.6 s of CPU: done once, on first exact count, never at start-up.
let encoder: Tiktoken | undefined;

/** Per-message framing tokens OpenAI documents for its chat models; other vendors are close enough for estimates. */
const PER_MESSAGE = 3;
/** An image costs about this many tokens at low detail; providers differ, so this is an estimate. */
const PER_IMAGE = 85;

function messageText(m: Message): { text: string; images: number } {
  let text = m.reasoning ?? '';
  let images = 0;
  if (typeof m.content === 'string') text += m.content;
  else
    for (const part of m.content) {
      if (part.type === 'text') text += part.text;
      else images++;
    }
  for (const call of m.toolCalls ?? []) text += call.name + call.arguments;
  return { text, images };
}

/** The request's text, with the number of framed messages and images, as one string to count. */
function promptParts(req: ChatRequest): { text: string; messages: number; images: number } {
  let text = '';
  let images = 0;
  for (const m of req.messages) {
    const part = messageText(m);
    text += `${part.text}\n`;
    images += part.images;
  }
  for (const tool of req.tools ?? [])
    text += `${tool.name}${tool.description ?? ''}${JSON.stringify(tool.parameters ?? {})}\n`;
  return { text, messages: req.messages.length, images };
}

/**
 * The o200k tokenizer, built on first use. Its ranks (about 30 MB in memory) are loaded then too, synchronously:
 * a gateway whose upstreams always report usage never holds them.
 */
function o200k(): Tiktoken {
  if (!encoder) {
    const ranks = createRequire(import.meta.url)('js-tiktoken/ranks/o200k_base') as ConstructorParameters<
      typeof Tiktoken
    >[0];
    encoder = new Tiktoken(ranks);
  }
  return encoder;
}

/** Input tokens of a chat request, counted with the o200k tokenizer. */
export function countPromptTokens(req: ChatRequest): number {
  const encoder = o200k();
  const { text, messages, images } = promptParts(req);
  return encoder.encode(text).length + messages * PER_MESSAGE + images * PER_IMAGE;
}

/** Tokens of a text counted with the o200k tokenizer (completion tokens of a stream upstream did not meter). */
export function countTextTokens(text: string): number {
  return o200k().encode(text).length;
}

/** A cheap estimate of a chat request's input tokens (about 4 characters a token), for early figures only. */
export function estimatePromptTokens(req: ChatRequest): number {
  const { text, messages, images } = promptParts(req);
  return Math.ceil(text.length / 4) + messages * PER_MESSAGE + images * PER_IMAGE;
}

/** Usage for an answer upstream did not meter: the prompt and the answer's text, counted. */
export function countedUsage(req: ChatRequest, answer: string): Usage {
  const promptTokens = countPromptTokens(req);
  const completionTokens = countTextTokens(answer);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}
