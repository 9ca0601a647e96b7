/**
 * Token counts of a canonical request: with OpenAI's o200k tokenizer (count_tokens endpoints, billing when upstream
 * reports nothing; exact for ordinary text, bounded in cost for hostile text: see tokensOf), or a cheap estimate for
 * figures a client needs before upstream has spoken.
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

/**
 * js-tiktoken merges each piece of text (a word, a run of spaces or symbols) in time quadratic in its length: one
 * 50,000-letter "word" took minutes of CPU, all requests stalled behind it. Runs longer than this are counted in
 * slices of this length, which real words never reach.
 */
const RUN_SLICE = 32;
const LONG_RUN = new RegExp(`\\S{${RUN_SLICE + 1},}|\\s{${RUN_SLICE + 1},}`, 'gu');
const SLICE = new RegExp(`[\\s\\S]{1,${RUN_SLICE}}`, 'gu');
/**
 * Text past this many characters is not tokenized but counted at the rate of the part that was: even in short
 * pieces some text costs tens of microseconds a character (emoji, CJK), and a body may be megabytes.
 */
const EXACT_CHARS = 50_000;

/** Tokens of a piece of text; text that reads like a special token (`<|endoftext|>`) is counted as text, not refused. */
function encodedLength(text: string): number {
  return text ? o200k().encode(text, [], []).length : 0;
}

/** Tokens of a text with the o200k tokenizer, exact up to EXACT_CHARS but for runs past RUN_SLICE characters. */
function tokensOf(text: string): number {
  const exact = text.length > EXACT_CHARS ? text.slice(0, EXACT_CHARS) : text;
  let tokens = 0;
  let from = 0;
  for (const run of exact.matchAll(LONG_RUN)) {
    tokens += encodedLength(exact.slice(from, run.index));
    for (const slice of run[0].match(SLICE) ?? []) tokens += encodedLength(slice);
    from = run.index + run[0].length;
  }
  tokens += encodedLength(exact.slice(from));
  return exact === text ? tokens : Math.ceil((tokens * text.length) / exact.length);
}

/** Input tokens of a chat request, counted with the o200k tokenizer. */
export function countPromptTokens(req: ChatRequest): number {
  const { text, messages, images } = promptParts(req);
  return tokensOf(text) + messages * PER_MESSAGE + images * PER_IMAGE;
}

/** Tokens of a text counted with the o200k tokenizer (completion tokens of a stream upstream did not meter). */
export function countTextTokens(text: string): number {
  return tokensOf(text);
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
