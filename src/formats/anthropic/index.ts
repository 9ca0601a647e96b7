/** Anthropic's Messages API as an inbound chat format: `POST /v1/messages` (the @anthropic-ai/sdk, Claude Code). */
import type { z } from 'zod';
import { asGatewayError, InvalidRequest } from '../../core/errors.ts';
import type { ChatFormat } from '../types.ts';
import { encodeError, encodeStream, MESSAGE_STOP, streamError } from './encode.ts';
import { messagesRequestSchema } from './schema.ts';
import { chatRequestFromWire, chatResponseToWire } from './wire.ts';

/** Validates a body against `schema`; the first problem is a 400 naming its field as Anthropic does (`messages.0.content`). */
export function validateAnthropic<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequest('The request body must be a JSON object.');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = deepest(result.error.issues[0]!, []);
  const param = issue.path.map(String).join('.');
  const message = issue.code === 'invalid_type' && issue.input === undefined ? 'Field required' : issue.message;
  throw new InvalidRequest(param ? `${param}: ${message}` : message, param ? { param } : {});
}

type Issue = z.core.$ZodIssue;

/** A union's failure names the union; the branch that got furthest names the field really at fault. */
function deepest(issue: Issue, prefix: PropertyKey[]): Issue {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union' || !issue.errors.length) return { ...issue, path };
  let best: Issue | undefined;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (!first) continue;
    const found = deepest(first, path);
    if (!best || found.path.length > best.path.length) best = found;
  }
  return best && best.path.length > path.length ? best : { ...issue, path };
}

export const anthropic: ChatFormat = {
  name: 'anthropic',
  decodeRequest: (input) => {
    const req = chatRequestFromWire(validateAnthropic(messagesRequestSchema, input.body));
    const beta = input.headers?.['anthropic-beta'];
    const headers: Record<string, string> = {};
    if (beta !== undefined) headers['anthropic-beta'] = Array.isArray(beta) ? beta.join(',') : beta;
    // For an Anthropic upstream the body goes as the client sent it (validated above).
    req.native = { format: 'anthropic', body: input.body as Record<string, unknown>, headers };
    return req;
  },
  encodeResponse: (res, ctx) => chatResponseToWire(res, { id: `msg_${ctx.requestId}`, model: ctx.model }),
  encodeStream: (events, ctx) =>
    encodeStream(events, {
      id: `msg_${ctx.requestId}`,
      model: ctx.model,
      estimatePromptTokens: () => ctx.estimatePromptTokens(),
    }),
  encodeError: (err) => encodeError(asGatewayError(err)),
  streamError,
  streamClosing: MESSAGE_STOP,
};
