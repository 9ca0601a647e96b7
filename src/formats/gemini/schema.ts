/** zod schema of Gemini's GenerateContentRequest as clients (the @google/genai SDK, REST callers) send it. */
import { z } from 'zod';

const blob = z.object({ mimeType: z.string().min(1), data: z.string() });

const functionCall = z.looseObject({
  id: z.string().optional(),
  name: z.string().min(1),
  args: z.record(z.string(), z.unknown()).optional(),
});

const functionResponse = z.looseObject({
  id: z.string().optional(),
  name: z.string().min(1),
  response: z.record(z.string(), z.unknown()).optional(),
  /** Gemini 3's multimodal function responses: images a tool returned. */
  parts: z.array(z.looseObject({ inlineData: blob.optional() })).optional(),
});

/** One part: Google's `oneof data` is told apart by which field is present, so every field is optional here. */
export const partSchema = z.looseObject({
  text: z.string().optional(),
  thought: z.boolean().optional(),
  thoughtSignature: z.string().optional(),
  inlineData: blob.optional(),
  fileData: z.looseObject({ mimeType: z.string().optional(), fileUri: z.string().min(1) }).optional(),
  functionCall: functionCall.optional(),
  functionResponse: functionResponse.optional(),
  executableCode: z.unknown().optional(),
  codeExecutionResult: z.unknown().optional(),
});
export type WirePart = z.infer<typeof partSchema>;

export const contentSchema = z.looseObject({
  // `function` is the role older clients gave turns of function responses.
  role: z.enum(['user', 'model', 'function']).optional(),
  parts: z.array(partSchema),
});
export type WireContent = z.infer<typeof contentSchema>;

const functionDeclaration = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  /** Google's OpenAPI-subset Schema (`type: "OBJECT"`, `nullable`, int64 counts as strings). */
  parameters: z.record(z.string(), z.unknown()).optional(),
  /** Plain JSON Schema. */
  parametersJsonSchema: z.record(z.string(), z.unknown()).optional(),
});
export type WireFunctionDeclaration = z.infer<typeof functionDeclaration>;

const tool = z.looseObject({ functionDeclarations: z.array(functionDeclaration).optional() });

const thinkingLevel = z
  .string()
  .transform((level) => level.toLowerCase())
  .pipe(z.enum(['thinking_level_unspecified', 'minimal', 'low', 'medium', 'high']));

export const generationConfigSchema = z.looseObject({
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  topK: z.number().int().positive().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  stopSequences: z.array(z.string()).max(5).optional(),
  candidateCount: z.number().int().positive().optional(),
  presencePenalty: z.number().optional(),
  frequencyPenalty: z.number().optional(),
  seed: z.number().int().optional(),
  responseMimeType: z.string().optional(),
  responseSchema: z.record(z.string(), z.unknown()).optional(),
  responseJsonSchema: z.record(z.string(), z.unknown()).optional(),
  thinkingConfig: z
    .looseObject({
      thinkingBudget: z.number().int().min(-1).optional(),
      includeThoughts: z.boolean().optional(),
      thinkingLevel: thinkingLevel.optional(),
    })
    .optional(),
});
export type WireGenerationConfig = z.infer<typeof generationConfigSchema>;

export const generateContentRequestSchema = z.looseObject({
  contents: z.array(contentSchema).min(1),
  systemInstruction: z.union([z.string(), contentSchema.extend({ role: z.string().optional() })]).optional(),
  tools: z.array(tool).optional(),
  toolConfig: z
    .looseObject({
      functionCallingConfig: z
        .looseObject({
          mode: z.enum(['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED']).optional(),
          allowedFunctionNames: z.array(z.string()).optional(),
        })
        .optional(),
    })
    .optional(),
  generationConfig: generationConfigSchema.optional(),
});
export type WireGenerateContentRequest = z.infer<typeof generateContentRequestSchema>;

/** Fields whose values are the client's own data (arguments, results, schemas): their keys are never renamed. */
const OPAQUE = new Set([
  'args',
  'response',
  'parameters',
  'parametersJsonSchema',
  'responseSchema',
  'responseJsonSchema',
]);

const camel = (key: string): string => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The body with snake_case field names (`system_instruction`, `inline_data`, `mime_type`: Google's REST examples and
 * protobuf's JSON mapping accept both) in camelCase, the form the schema reads; the client's own data is left alone.
 */
export function camelCaseFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseFields);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const name = key.includes('_') ? camel(key) : key;
    out[name] = OPAQUE.has(name) ? field : camelCaseFields(field);
  }
  return out;
}
