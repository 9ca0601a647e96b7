/**
 * Decodes Coze v3 chat streams into canonical events, and assembles a whole answer from one. Coze reports most failures
 * as HTTP 200 bodies `{"code": 4xxx, "msg": …}` (or in-stream `error` / `conversation.chat.failed` events): those codes
 * become the statuses they mean.
 */
import { createParser } from 'eventsource-parser';
import { UpstreamError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import type { ChatResponse, Message, StreamEvent, Usage } from '../../core/types.ts';
import { errorMessage as openaiErrorMessage } from '../openai/response.ts';
import { rateLimited } from '../qianfan/auth.ts';
import type { Target } from '../types.ts';
import { forgetToken } from './auth.ts';

// Error codes: https://www.coze.cn/open/docs/developer_guides/coze_error_codes (the OAuth one from the same page).
const CODE_STATUS: Readonly<Record<number, number>> = {
  4000: 400, // bad parameters
  4003: 400, // meta_data too long
  4004: 400, // too many additional_messages
  4005: 400, // invalid message
  4010: 400, // prompt longer than the model takes
  4014: 400, // the bot cannot answer this question
  4100: 401, // token invalid
  700012006: 401, // OAuth access token invalid
  4101: 403, // token lacks the permission
  4102: 403, // risk control
  4011: 403, // Coze token balance used up
  4019: 403, // account in arrears
  4022: 403, // model service in arrears
  4006: 404, // invalid bot (id wrong, or not this account's)
  4012: 404, // the bot's model was withdrawn
  4015: 404, // bot not published as an API service
  4200: 404, // resource not found
  4008: 429, // the bot's daily limit for this user
  4009: 429, // system busy
  4020: 429, // RPM above the purchased peak
  4013: 502, // model error
  5000: 500, // internal error
};
const RETRYABLE = new Set([401, 403, 429, 500, 502, 503, 504]);
const TOKEN_INVALID = new Set([4100, 700012006]);

/** The status a Coze error code means (502 for codes it does not list). */
export const statusOfCode = (code: number): number => CODE_STATUS[code] ?? 502;

/** A Coze error code as the gateway's error, statused as the relay statuses an HTTP error of the same meaning. */
export function cozeError(code: number, msg: unknown, target: Target): UpstreamError {
  const detail = redactSecrets(typeof msg === 'string' && msg.trim() ? msg.trim() : 'no message');
  const message = `Upstream '${target.provider.name}' answered error ${code}: ${detail}`;
  const status = statusOfCode(code);
  // A bought token that stopped working says nothing about the app's key: forget it and let the next call buy another.
  if (TOKEN_INVALID.has(code) && forgetToken(target)) return new UpstreamError(message, { retryable: true });
  if (status === 429) return rateLimited(message);
  const clientStatus = status === 401 || status === 403 || status >= 500 ? 502 : status;
  return new UpstreamError(message, { upstreamStatus: status, status: clientStatus, retryable: RETRYABLE.has(status) });
}

interface CodeBody {
  code?: unknown;
  msg?: unknown;
}

const codeOf = (body: CodeBody): number | undefined =>
  typeof body.code === 'number' && body.code !== 0 ? body.code : undefined;

function parseCodeBody(text: string): CodeBody | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as CodeBody) : undefined;
  } catch {
    return undefined;
  }
}

/** An HTTP error answer's status as its code says it (Coze's 401s and 400s carry the code that tells them apart). */
export function errorStatus(status: number, body: string): number {
  const code = codeOf(parseCodeBody(body) ?? {});
  return code === undefined ? status : (CODE_STATUS[code] ?? status);
}

export function errorMessage(status: number, body: string): string {
  const parsed = parseCodeBody(body);
  const code = codeOf(parsed ?? {});
  if (code !== undefined && typeof parsed?.msg === 'string')
    return redactSecrets(`${parsed.msg.trim()} (code ${code})`);
  return openaiErrorMessage(status, body);
}

interface CozeMessageData {
  id?: string;
  role?: string;
  type?: string;
  content?: string;
  content_type?: string;
  reasoning_content?: string;
}

interface CozeChatData {
  id?: string;
  status?: string;
  last_error?: { code?: number; msg?: string } | null;
  usage?: { token_count?: number; output_count?: number; input_count?: number } | null;
}

function parseData<T>(data: string): T {
  try {
    const parsed = JSON.parse(data) as unknown;
    if (parsed !== null && typeof parsed === 'object') return parsed as T;
  } catch {
    // reported below
  }
  throw new UpstreamError('Upstream stream carried an event whose data is not a JSON object.', { retryable: false });
}

function usageOf(chat: CozeChatData): Usage | undefined {
  const u = chat.usage;
  if (!u) return undefined;
  const promptTokens = u.input_count ?? 0;
  const completionTokens = u.output_count ?? 0;
  return { promptTokens, completionTokens, totalTokens: u.token_count ?? promptTokens + completionTokens };
}

/**
 * Reads one chat's SSE events in order. Only `answer` messages are the reply: `verbose` (Coze's own notices such as
 * generate_answer_finish), `follow_up` (suggested next questions), and `function_call` / `tool_response` /
 * `tool_output` (the bot's own plugin calls, run inside Coze) are not, and are dropped. Several answer messages in one
 * chat (a workflow may send more than one) are joined with a blank line.
 */
export class CozeChatReader {
  /** `conversation.chat.completed` was seen. */
  completed = false;
  /** `done` was seen: nothing more follows. */
  done = false;
  private readonly target: Target;
  private readonly streamed = new Set<string>();
  private lastAnswer: string | undefined;
  private answered = false;

  constructor(target: Target) {
    this.target = target;
  }

  /** The canonical events of one SSE event; throws the mapped error of an error or failure event. */
  push(event: string | undefined, data: string): StreamEvent[] {
    switch (event) {
      case 'conversation.message.delta':
        return this.answer(parseData<CozeMessageData>(data), false);
      case 'conversation.message.completed':
        return this.answer(parseData<CozeMessageData>(data), true);
      case 'conversation.chat.completed': {
        this.completed = true;
        const usage = usageOf(parseData<CozeChatData>(data));
        return usage
          ? [
              { type: 'finish', reason: 'stop' },
              { type: 'usage', usage },
            ]
          : [{ type: 'finish', reason: 'stop' }];
      }
      case 'conversation.chat.failed': {
        const failure = parseData<CozeChatData>(data).last_error;
        throw cozeError(failure?.code ?? 5000, failure?.msg, this.target);
      }
      case 'conversation.chat.requires_action':
        throw new UpstreamError(
          `Upstream '${this.target.provider.name}': the bot waits for the result of a local plugin, which a chat client cannot submit.`,
          { retryable: false },
        );
      case 'error': {
        const body = parseCodeBody(data) ?? {};
        throw cozeError(codeOf(body) ?? 5000, body.msg ?? 'error event without a message', this.target);
      }
      case 'done':
        this.done = true;
        return [];
      default:
        return [];
    }
  }

  private answer(m: CozeMessageData, complete: boolean): StreamEvent[] {
    if (m.type !== 'answer') return [];
    const id = m.id ?? '';
    // A completed message repeats its deltas whole; only one that streamed nothing adds to the reply.
    if (complete && this.streamed.has(id)) return [];
    if (!complete) this.streamed.add(id);
    const out: StreamEvent[] = [];
    if (m.reasoning_content) out.push({ type: 'reasoning', text: m.reasoning_content });
    if (m.content) {
      const separator = this.answered && id !== this.lastAnswer ? '\n\n' : '';
      out.push({ type: 'text', text: separator + m.content });
      this.answered = true;
      this.lastAnswer = id;
    }
    return out;
  }
}

/** The error an HTTP 200 JSON body stands for (a stream request refused before it began). */
export function jsonAnswerError(body: string, target: Target): UpstreamError {
  const parsed = parseCodeBody(body);
  const code = codeOf(parsed ?? {});
  if (code !== undefined) return cozeError(code, parsed?.msg, target);
  return new UpstreamError(`Upstream '${target.provider.name}' answered with JSON where a chat stream was expected.`, {
    retryable: true,
  });
}

export const endedEarly = (): UpstreamError =>
  new UpstreamError('Upstream stream ended before the chat completed.', { retryable: false });

/** The whole answer, from the stream the call asked for (see encodeChat). */
export function decodeChat(body: string, target: Target): ChatResponse {
  if (body.trimStart().startsWith('{')) throw jsonAnswerError(body, target);
  const reader = new CozeChatReader(target);
  const events: StreamEvent[] = [];
  const parser = createParser({ onEvent: (e) => events.push(...reader.push(e.event, e.data)) });
  parser.feed(`${body}\n\n`);
  if (!reader.completed) throw endedEarly();
  let content = '';
  let reasoning = '';
  let usage: Usage | undefined;
  for (const e of events) {
    if (e.type === 'text') content += e.text;
    else if (e.type === 'reasoning') reasoning += e.text;
    else if (e.type === 'usage') usage = e.usage;
  }
  const message: Message = { role: 'assistant', content };
  if (reasoning) message.reasoning = reasoning;
  const res: ChatResponse = {
    id: '',
    model: target.upstreamModel,
    created: Math.floor(Date.now() / 1000),
    message,
    finishReason: 'stop',
  };
  if (usage) res.usage = usage;
  return res;
}
