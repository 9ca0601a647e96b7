/** Encodes canonical answers and event streams as OpenAI Chat Completions, Completions and Embeddings wire bytes. */
import { asGatewayError } from '../../core/errors.ts';
import type {
  CompletionResponse,
  EmbeddingRequest,
  EmbeddingResponse,
  FinishReason,
  StreamEvent,
  Usage,
} from '../../core/types.ts';
import type { ReasoningFormat } from '../types.ts';
import { encodeError } from './errors.ts';
import { usageToWire } from './wire.ts';

export interface StreamContext {
  id: string;
  created: number;
  model: string;
  /** The client asked for the usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
  /** Where reasoning text goes (chat only; default `reasoning_content`). */
  reasoningFormat?: ReasoningFormat;
}

export const THINK_OPEN = '<think>\n';
export const THINK_CLOSE = '\n</think>\n\n';

export const SSE_DONE = 'data: [DONE]\n\n';

/** The SSE event carrying an error after the stream has started, followed by `[DONE]`. */
export function streamErrorEvent(err: unknown): string {
  return `data: ${encodeError(asGatewayError(err)).body}\n\n${SSE_DONE}`;
}

/** Canonical events -> OpenAI `chat.completion.chunk` SSE events, ending with the usage chunk (if asked) and `[DONE]`. */
export async function* encodeChatStream(events: AsyncIterable<StreamEvent>, ctx: StreamContext): AsyncIterable<string> {
  const head = `data: {"id":${JSON.stringify(ctx.id)},"object":"chat.completion.chunk","created":${ctx.created},"model":${JSON.stringify(ctx.model)},"system_fingerprint":null,"choices":`;
  const chunk = (delta: Record<string, unknown>, finish: FinishReason | null = null): string =>
    `${head}[{"index":0,"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]}\n\n`;
  let usage: Usage | undefined;
  const reasoningFormat = ctx.reasoningFormat ?? 'reasoning_content';
  // With the `thinking` format, reasoning is content inside <think> tags, closed before anything else is sent.
  let thinkOpen = false;
  yield chunk({ role: 'assistant', content: '' });
  try {
    for await (const event of events) {
      if (thinkOpen && event.type !== 'reasoning' && event.type !== 'usage' && event.type !== 'reasoning_signature') {
        thinkOpen = false;
        yield chunk({ content: THINK_CLOSE });
      }
      switch (event.type) {
        case 'text':
          yield chunk({ content: event.text });
          break;
        case 'reasoning':
          if (reasoningFormat !== 'thinking') yield chunk({ [reasoningFormat]: event.text });
          else if (thinkOpen) yield chunk({ content: event.text });
          else {
            thinkOpen = true;
            yield chunk({ content: THINK_OPEN + event.text });
          }
          break;
        case 'reasoning_signature':
          break;
        case 'tool_call_start':
          yield chunk({
            tool_calls: [
              { index: event.index, id: event.id, type: 'function', function: { name: event.name, arguments: '' } },
            ],
          });
          break;
        case 'tool_call_delta':
          yield chunk({ tool_calls: [{ index: event.index, function: { arguments: event.arguments } }] });
          break;
        case 'finish':
          yield chunk({}, event.reason);
          break;
        case 'usage':
          usage = event.usage;
          break;
        case 'error':
          throw event.error;
      }
    }
  } catch (err) {
    yield streamErrorEvent(err);
    return;
  }
  if (ctx.includeUsage && usage) yield `${head}[],"usage":${JSON.stringify(usageToWire(usage))}}\n\n`;
  yield SSE_DONE;
}

export function encodeCompletionResponse(res: CompletionResponse): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: res.id,
    object: 'text_completion',
    created: res.created,
    model: res.model,
    choices: [{ index: 0, text: res.text, logprobs: null, finish_reason: res.finishReason }],
  };
  if (res.usage) out.usage = usageToWire(res.usage);
  return out;
}

/** Canonical events -> OpenAI `text_completion` SSE events. */
export async function* encodeCompletionStream(
  events: AsyncIterable<StreamEvent>,
  ctx: StreamContext,
): AsyncIterable<string> {
  const head = `data: {"id":${JSON.stringify(ctx.id)},"object":"text_completion","created":${ctx.created},"model":${JSON.stringify(ctx.model)},"choices":`;
  let usage: Usage | undefined;
  try {
    for await (const event of events) {
      if (event.type === 'text')
        yield `${head}[{"index":0,"text":${JSON.stringify(event.text)},"logprobs":null,"finish_reason":null}]}\n\n`;
      else if (event.type === 'finish')
        yield `${head}[{"index":0,"text":"","logprobs":null,"finish_reason":"${event.reason}"}]}\n\n`;
      else if (event.type === 'usage') usage = event.usage;
      else if (event.type === 'error') throw event.error;
    }
  } catch (err) {
    yield streamErrorEvent(err);
    return;
  }
  if (ctx.includeUsage && usage) yield `${head}[],"usage":${JSON.stringify(usageToWire(usage))}}\n\n`;
  yield SSE_DONE;
}

/** A vector as OpenAI's `encoding_format: base64` sends it: float32, little-endian, base64. */
export function float32Base64(vector: readonly number[]): string {
  const buf = Buffer.allocUnsafe(vector.length * 4);
  for (const [i, v] of vector.entries()) buf.writeFloatLE(v, i * 4);
  return buf.toString('base64');
}

export function encodeEmbeddingResponse(res: EmbeddingResponse, req: EmbeddingRequest): Record<string, unknown> {
  const base64 = req.encodingFormat === 'base64';
  return {
    object: 'list',
    data: res.data.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: base64 && typeof vector !== 'string' ? float32Base64(vector) : vector,
    })),
    model: res.model,
    usage: { prompt_tokens: res.usage.promptTokens, total_tokens: res.usage.totalTokens },
  };
}
