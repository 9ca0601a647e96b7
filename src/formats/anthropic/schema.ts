/** zod schema of Anthropic's Messages request (and count_tokens request), as clients such as the SDK and Claude Code send it. */
import { z } from 'zod';

/** Prompt-caching hints: accepted on every block; the canonical form has no place for them. */
const cacheControl = z.object({ type: z.literal('ephemeral'), ttl: z.string().optional() }).nullish();

const textBlock = z.object({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });

const imageSource = z.discriminatedUnion('type', [
  z.object({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string().min(1) }),
  z.object({ type: z.literal('url'), url: z.string().min(1) }),
]);
const imageBlock = z.object({ type: z.literal('image'), source: imageSource, cache_control: cacheControl });

const documentSource = z.discriminatedUnion('type', [
  z.object({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string().min(1) }),
  z.object({ type: z.literal('text'), media_type: z.string().optional(), data: z.string() }),
  z.object({ type: z.literal('url'), url: z.string().min(1) }),
]);
const documentBlock = z.object({
  type: z.literal('document'),
  source: documentSource,
  title: z.string().nullish(),
  cache_control: cacheControl,
});

const toolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});

const toolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z
    .union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock, documentBlock]))])
    .optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});

const thinkingBlock = z.object({
  type: z.literal('thinking'),
  thinking: z.string(),
  // Required by Anthropic; optional here so histories from other gateways' answers (no signature) still pass.
  signature: z.string().optional(),
});
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() });

export const contentBlockSchema = z.discriminatedUnion('type', [
  textBlock,
  imageBlock,
  documentBlock,
  toolUseBlock,
  toolResultBlock,
  thinkingBlock,
  redactedThinkingBlock,
]);
export type WireBlock = z.infer<typeof contentBlockSchema>;
export type WireToolResultContent = NonNullable<z.infer<typeof toolResultBlock>['content']>;

export const messageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(contentBlockSchema)]),
});
export type WireMessage = z.infer<typeof messageSchema>;

/** Custom tools; Anthropic's server tools (`type: web_search_20250305`, …) are refused by the decoder, naming them. */
const toolSchema = z.object({
  type: z.string().nullish(),
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
  cache_control: cacheControl,
});
export type WireTool = z.infer<typeof toolSchema>;

const toolChoiceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('none') }),
]);

const thinkingSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1024) }),
  z.object({ type: z.literal('disabled') }),
  // Newer models decide their own budget.
  z.object({ type: z.literal('adaptive') }),
]);

const requestFields = {
  model: z.string().min(1),
  messages: z.array(messageSchema),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  thinking: thinkingSchema.optional(),
  /** Newer models' effort switch (`output_config.effort`). */
  output_config: z.object({ effort: z.string().nullish() }).optional(),
};

export const messagesRequestSchema = z.object({
  ...requestFields,
  max_tokens: z.number().int().min(1),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  metadata: z.object({ user_id: z.string().nullish() }).optional(),
  stream: z.boolean().optional(),
});
export type WireMessagesRequest = z.infer<typeof messagesRequestSchema>;

/** `/v1/messages/count_tokens`: the request without the sampling fields. */
export const countTokensRequestSchema = z.object(requestFields);
export type WireCountTokensRequest = z.infer<typeof countTokensRequestSchema>;
