/** Validates OpenAI request bodies and turns them into canonical requests; a bad body is a 400 naming the field. */
import type { z } from 'zod';
import { InvalidRequest } from '../../core/errors.ts';
import type { ChatRequest, CompletionRequest, EmbeddingRequest } from '../../core/types.ts';
import { chatRequestSchema, completionRequestSchema, embeddingRequestSchema } from './schema.ts';
import { chatRequestFromWire } from './wire.ts';

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out;
}

/** Validates a request body against `schema`; the first problem is a 400 naming its field. */
export function validate<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequest('The request body must be a JSON object.');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = fieldPath(issue.path);
  const message =
    issue.code === 'invalid_type' && issue.input === undefined
      ? `Missing required parameter: '${param}'.`
      : `Invalid value for '${param || 'body'}': ${issue.message}`;
  throw new InvalidRequest(message, param ? { param } : {});
}

export function decodeChatRequest(body: unknown): ChatRequest {
  return chatRequestFromWire(validate(chatRequestSchema, body));
}

export function decodeCompletionRequest(body: unknown): CompletionRequest {
  const wire = validate(completionRequestSchema, body);
  const stream = wire.stream === true;
  const req: CompletionRequest = {
    model: wire.model,
    prompt: wire.prompt,
    stream,
    includeUsage: stream && wire.stream_options?.include_usage === true,
    raw: wire,
  };
  if (wire.max_tokens != null) req.maxTokens = wire.max_tokens;
  if (wire.temperature != null) req.temperature = wire.temperature;
  if (wire.top_p != null) req.topP = wire.top_p;
  if (wire.stop != null) req.stop = typeof wire.stop === 'string' ? [wire.stop] : wire.stop;
  return req;
}

export function decodeEmbeddingRequest(body: unknown): EmbeddingRequest {
  const wire = validate(embeddingRequestSchema, body);
  const req: EmbeddingRequest = { model: wire.model, input: wire.input, raw: wire };
  if (wire.encoding_format !== undefined) req.encodingFormat = wire.encoding_format;
  if (wire.dimensions !== undefined) req.dimensions = wire.dimensions;
  if (wire.user !== undefined) req.user = wire.user;
  return req;
}
