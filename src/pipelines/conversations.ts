/**
 * Server-side conversations (o1-api's `conversation_id`), for any inbound chat format: the client sends only its new
 * turn with a `conversation_id` (body field or `X-Conversation-Id` header); the gateway sends the model the stored
 * history trimmed to its context, and stores the turn and the answer once the answer is complete (a stream that
 * failed stores nothing).
 */
import { InvalidRequest } from '../core/errors.ts';
import type { ChatRequest, Message, StreamEvent, ToolCall } from '../core/types.ts';
import { countPromptTokens } from '../formats/token-count.ts';
import type { AnswerContext, ChatFormat, InboundRequest } from '../formats/types.ts';
import type { Conversations } from '../store/conversations.ts';
import { contextWindowOf } from './context-window.ts';

interface Turn {
  owner: string;
  id: string;
  /** The client's new messages (its system prompt aside): stored with the answer. */
  added: Message[];
}

/** Room left for the answer when the request names no `max_tokens`. */
const ANSWER_RESERVE = 4_096;
const MAX_ID_LENGTH = 191;

function conversationIdOf(input: InboundRequest): string | undefined {
  const body = input.body as { conversation_id?: unknown } | undefined;
  const header = input.headers?.['x-conversation-id'];
  const id = body?.conversation_id ?? (Array.isArray(header) ? header[0] : header);
  if (id === undefined || id === null) return undefined;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw new InvalidRequest(`conversation_id must be a string of 1 to ${MAX_ID_LENGTH} characters.`, {
      param: 'conversation_id',
    });
  }
  return id;
}

/** Tokens of messages, counted with the o200k tokenizer (3 a message for the turn's framing). */
const tokensOf = (messages: Message[]): number =>
  countPromptTokens({ model: '', messages, stream: false, includeUsage: false });

/**
 * The system prompt, then as much of the history as fits (whole turns, dropped oldest first: the history always
 * starts at a user message), then the new turn.
 */
export function fitToContext(system: Message[], history: Message[], turn: Message[], budget: number): Message[] {
  const room = budget - tokensOf([...system, ...turn]);
  // Each message counted once; the kept history is a suffix, so its size is a running sum from the end.
  const sizes = history.map((m) => tokensOf([m]));
  let size = sizes.reduce((n, x) => n + x, 0);
  let start = 0;
  while (start < history.length && size > room) {
    size -= sizes[start++]!;
    while (start < history.length && history[start]!.role !== 'user') size -= sizes[start++]!;
  }
  return [...system, ...history.slice(start), ...turn];
}

/** The assistant message a stream of events makes. */
function collect(events: StreamEvent[]): Message {
  let text = '';
  let reasoning = '';
  const calls: ToolCall[] = [];
  for (const event of events) {
    if (event.type === 'text') text += event.text;
    else if (event.type === 'reasoning') reasoning += event.text;
    else if (event.type === 'tool_call_start') calls[event.index] = { id: event.id, name: event.name, arguments: '' };
    else if (event.type === 'tool_call_delta' && calls[event.index]) calls[event.index]!.arguments += event.arguments;
  }
  const message: Message = { role: 'assistant', content: text };
  if (reasoning) message.reasoning = reasoning;
  const toolCalls = calls.filter(Boolean);
  if (toolCalls.length) message.toolCalls = toolCalls;
  return message;
}

/** `format` with server-side conversations. */
export function withConversations(
  format: ChatFormat,
  conversations: Conversations,
  contextWindows: Record<string, number>,
): ChatFormat {
  const turns = new WeakMap<ChatRequest, Turn>();
  const save = async (ctx: AnswerContext, answer: Message): Promise<void> => {
    const turn = turns.get(ctx.request);
    if (turn) await conversations.append(turn.owner, turn.id, ctx.model, [...turn.added, answer]);
  };
  const withHistory = async (input: InboundRequest, id: string): Promise<ChatRequest> => {
    const req = await format.decodeRequest(input);
    const history = (await conversations.history(input.owner, id)) ?? [];
    const system = req.messages.filter((m) => m.role === 'system');
    const added = req.messages.filter((m) => m.role !== 'system');
    const budget = contextWindowOf(req.model, contextWindows) - (req.maxTokens ?? ANSWER_RESERVE);
    req.messages = fitToContext(system, history, added, budget);
    // The body as sent holds only the new turn: the canonical request is what goes upstream.
    delete req.raw;
    delete req.native;
    turns.set(req, { owner: input.owner, id, added });
    return req;
  };
  return {
    ...format,
    decodeRequest: (input) => {
      const id = conversationIdOf(input);
      // Without a conversation the format decodes as it does alone (most synchronously: no promise per request).
      return id === undefined ? format.decodeRequest(input) : withHistory(input, id);
    },
    afterResponse: async (res, encoded, ctx) => {
      await format.afterResponse?.(res, encoded, ctx);
      await save(ctx, res.message);
    },
    encodeStream: (events, ctx) => {
      if (!turns.has(ctx.request)) return format.encodeStream(events, ctx);
      return format.encodeStream(
        storeWhenComplete(events, (seen) => save(ctx, collect(seen))),
        ctx,
      );
    },
  };
}

/** Passes events on; once they ended with a finish and no error, hands them to `complete` before the end. */
async function* storeWhenComplete(
  events: AsyncIterable<StreamEvent>,
  complete: (events: StreamEvent[]) => Promise<void>,
): AsyncIterable<StreamEvent> {
  const seen: StreamEvent[] = [];
  let finished = false;
  let failed = false;
  for await (const event of events) {
    if (event.type === 'finish') finished = true;
    else if (event.type === 'error') failed = true;
    else if (event.type !== 'usage') seen.push(event);
    yield event;
  }
  if (finished && !failed) await complete(seen);
}
