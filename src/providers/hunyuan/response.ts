/** Decodes Tencent Hunyuan ChatCompletions answers; Tencent Cloud reports errors as `Response.Error` in an HTTP 200. */
import { UpstreamError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import type { ChatResponse, FinishReason, Message, ToolCall, Usage } from '../../core/types.ts';
import { toolCallId } from '../ollama/response.ts';
import { errorMessage as openaiErrorMessage, parseUpstreamJson } from '../openai/response.ts';
import { rateLimited } from '../qianfan/auth.ts';
import type { Target } from '../types.ts';

export interface HunyuanWireToolCall {
  Id?: string;
  Index?: number;
  Function?: { Name?: string; Arguments?: string };
}

export interface HunyuanWireMessage {
  Content?: string;
  ReasoningContent?: string;
  ToolCalls?: HunyuanWireToolCall[] | null;
}

/** `Response` of an answer, or one stream event (the same fields, unwrapped, with `Delta` for `Message`). */
export interface HunyuanAnswer {
  Id?: string;
  Created?: number;
  Choices?: { Message?: HunyuanWireMessage; Delta?: HunyuanWireMessage; FinishReason?: string }[] | null;
  Usage?: { PromptTokens?: number; CompletionTokens?: number; TotalTokens?: number } | null;
  Error?: { Code?: string; Message?: string };
  /** An error in the middle of a stream. */
  ErrorMsg?: { Code?: number; Msg?: string } | null;
  RequestId?: string;
}

type ErrorClass = 'clock' | 'key' | 'billing' | 'rate' | 'unavailable' | 'elsewhere' | 'request';

// Tencent Cloud's common error codes and Hunyuan's own (tencentcloud-sdk-go hunyuan/v20230901/errors.go).
const ERROR_CLASSES: readonly [RegExp, ErrorClass][] = [
  [/^AuthFailure\.SignatureExpire$/, 'clock'],
  [/^(AuthFailure|UnauthorizedOperation)\b/, 'key'],
  [
    /^(FailedOperation\.(ServiceNotActivated|ServiceStop|ServiceStopArrears|UserUnAuthError|FreeResourcePackExhausted|ResourcePackExhausted)|ResourceInsufficient\.ChargeResourceExhaust|ResourceUnavailable)\b/,
    'billing',
  ],
  [/^(RequestLimitExceeded|LimitExceeded|FailedOperation\.EngineServerLimitExceeded)\b/, 'rate'],
  [/^(InternalError|FailedOperation\.(EngineRequestTimeout|EngineServerError))\b/, 'unavailable'],
  [/^(InvalidParameterValue\.Model|ResourceNotFound)\b/, 'elsewhere'],
  [
    /^(InvalidParameter|InvalidParameterValue|MissingParameter|UnknownParameter|UnsupportedOperation|OperationDenied)\b/,
    'request',
  ],
];

/** Tencent Cloud's error as the gateway's: rate limits cool the key down, refused keys and spent quotas take it out. */
export function answerError(error: { Code?: string; Message?: string }, target: Target): UpstreamError {
  const code = error.Code ?? 'UnknownError';
  const detail = redactSecrets(error.Message?.trim() || 'no message');
  const message = `Upstream '${target.provider.name}' answered ${code}: ${detail}`;
  const kind = ERROR_CLASSES.find(([pattern]) => pattern.test(code))?.[1];
  switch (kind) {
    case 'clock':
      // Every key would fail alike: the gateway's clock is off by more than five minutes.
      return new UpstreamError(`${message} (check the gateway's clock)`, { retryable: false });
    case 'key':
      return new UpstreamError(message, { upstreamStatus: 401, retryable: true });
    case 'billing':
      return new UpstreamError(message, { upstreamStatus: 403, retryable: true });
    case 'rate':
      return rateLimited(message);
    case 'unavailable':
      return new UpstreamError(message, { upstreamStatus: 503, retryable: true });
    case 'request':
      return new UpstreamError(message, { upstreamStatus: 400, status: 400, retryable: false });
    default:
      return new UpstreamError(message, { retryable: true });
  }
}

/** A stream's own error event: the stream has started, so it cannot be retried. */
export function streamError(error: { Code?: number; Msg?: string }, target: Target): UpstreamError {
  const detail = redactSecrets(error.Msg?.trim() || 'no message');
  return new UpstreamError(`Upstream '${target.provider.name}' stream failed (${error.Code}): ${detail}`, {
    retryable: false,
  });
}

/** Some events carry an ErrorMsg that reports success; only a failure ends the stream. */
export const isFailure = (error: HunyuanAnswer['ErrorMsg']): error is { Code?: number; Msg?: string } =>
  !!error && !!error.Code && error.Msg !== 'success';

/** The answer inside a parsed body: API 3.0 wraps it in `Response`; stream events come bare. */
export function unwrap(parsed: Record<string, unknown>): HunyuanAnswer {
  const inner = parsed.Response;
  return (inner !== null && typeof inner === 'object' ? inner : parsed) as HunyuanAnswer;
}

export function finishFrom(reason: string | undefined, toolCalled: boolean): FinishReason {
  if (reason === 'tool_calls' || (toolCalled && !reason)) return 'tool_calls';
  if (reason === 'sensitive') return 'content_filter';
  if (reason === 'length') return 'length';
  return toolCalled ? 'tool_calls' : 'stop';
}

export function usageFrom(usage: HunyuanAnswer['Usage']): Usage | undefined {
  if (!usage) return undefined;
  const promptTokens = usage.PromptTokens ?? 0;
  const completionTokens = usage.CompletionTokens ?? 0;
  return { promptTokens, completionTokens, totalTokens: usage.TotalTokens ?? promptTokens + completionTokens };
}

export function decodeChat(body: string, target: Target): ChatResponse {
  const answer = unwrap(parseUpstreamJson(body));
  if (answer.Error?.Code) throw answerError(answer.Error, target);
  const choice = answer.Choices?.[0];
  const wm = choice?.Message ?? {};
  const message: Message = { role: 'assistant', content: wm.Content ?? '' };
  if (wm.ReasoningContent) message.reasoning = wm.ReasoningContent;
  if (wm.ToolCalls?.length) {
    message.toolCalls = wm.ToolCalls.map(
      (c): ToolCall => ({ id: toolCallId(c.Id), name: c.Function?.Name ?? '', arguments: c.Function?.Arguments ?? '' }),
    );
  }
  const res: ChatResponse = {
    id: answer.Id ?? answer.RequestId ?? '',
    model: target.upstreamModel,
    created: answer.Created ?? Math.floor(Date.now() / 1000),
    message,
    finishReason: finishFrom(choice?.FinishReason, message.toolCalls !== undefined),
  };
  const usage = usageFrom(answer.Usage);
  if (usage) res.usage = usage;
  return res;
}

/** The message of a Tencent Cloud error body (`{Response: {Error: {Code, Message}}}`), or of any other. */
export function errorMessage(status: number, body: string): string {
  try {
    const error = unwrap(JSON.parse(body) as Record<string, unknown>).Error;
    if (error?.Code) return redactSecrets(`${error.Message?.trim() || 'no message'} (${error.Code})`);
  } catch {
    // not JSON: the generic reader says what it can
  }
  return openaiErrorMessage(status, body);
}
