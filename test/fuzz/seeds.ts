/**
 * Valid requests to start from: the relay's bodies in every format it speaks (a fuzzed request is one of these,
 * broken), the admin API's from its own schemas, and the model names they name.
 */
import fc from 'fast-check';
import { z } from 'zod';
import type { FuzzRoute } from './routes.ts';
import { fromSchema, type SchemaHints } from './schema.ts';
import { type Fuzzed, hostileValue, own, PROTO_KEYS, toJson } from './values.ts';

/** Models the relay serves (see the fuzz gateway's config), and names that have broken lookups elsewhere. */
export const RELAY_MODELS = ['gpt-4o-mini', 'claude-sonnet-4-6', 'gemini-2.5-flash', 'text-embedding-3-small'];
/** The fuzz gateway's virtual models (chat only). */
export const VIRTUAL_MODELS = ['fuzz-ensemble', 'fuzz-reasoning'];
export const HOSTILE_MODELS = [
  ...PROTO_KEYS,
  '',
  ' ',
  'models/gpt-4o-mini',
  'gpt-4o-mini\u0000',
  'GPT-4O-MINI',
  'gpt-4o-mini:generateContent',
  'mock/gpt-4o-mini',
  '../../../etc/passwd',
  'a'.repeat(5_000),
  '🙂',
  '\uD800',
];
/** A model name: served, virtual, or hostile. */
export const hostileModel: fc.Arbitrary<Fuzzed> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...RELAY_MODELS, ...VIRTUAL_MODELS) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_MODELS) },
  { weight: 1, arbitrary: hostileValue },
);

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** Valid bodies of the relay's endpoints, by the path's last part; `M` is replaced by each served model. */
const CHAT: Fuzzed[] = [
  {
    model: 'M',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hello' },
    ],
    max_tokens: 16,
  },
  {
    model: 'M',
    stream: true,
    stream_options: { include_usage: true },
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
        ],
      },
    ],
  },
  {
    model: 'M',
    conversation_id: 'fuzz-conversation',
    temperature: 0.2,
    response_format: { type: 'json_object' },
    tool_choice: 'auto',
    tools: [
      {
        type: 'function',
        function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } } } },
      },
    ],
    messages: [
      { role: 'user', content: 'x' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":"1"}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: '42' },
    ],
  },
];

const ANTHROPIC: Fuzzed[] = [
  { model: 'M', max_tokens: 16, messages: [{ role: 'user', content: 'hello' }] },
  {
    model: 'M',
    max_tokens: 2048,
    stream: true,
    system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
    thinking: { type: 'enabled', budget_tokens: 1024 },
    tools: [{ name: 'f', input_schema: { type: 'object', properties: { a: { type: 'number' } } } }],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'hi' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: '42' }] },
    ],
  },
];

const GEMINI: Fuzzed[] = [
  { contents: [{ role: 'user', parts: [{ text: 'hello' }] }], generationConfig: { maxOutputTokens: 16 } },
  {
    systemInstruction: { parts: [{ text: 'Be brief.' }] },
    contents: [
      { role: 'user', parts: [{ text: 'hi' }, { inlineData: { mimeType: 'image/png', data: PNG } }] },
      { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'f', response: { r: 42 } } }] },
    ],
    tools: [
      { functionDeclarations: [{ name: 'f', parameters: { type: 'OBJECT', properties: { a: { type: 'NUMBER' } } } }] },
    ],
    generation_config: { temperature: 0.1, thinking_config: { include_thoughts: true } },
  },
  { generateContentRequest: { model: 'models/M', contents: [{ role: 'user', parts: [{ text: 'count me' }] }] } },
];

const RESPONSES: Fuzzed[] = [
  { model: 'M', input: 'hello', instructions: 'Be brief.', max_output_tokens: 16 },
  {
    model: 'M',
    stream: true,
    store: true,
    input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
    tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: {} } }],
  },
  { model: 'M', input: 'again', previous_response_id: 'resp_fuzz' },
];

const COMPLETIONS: Fuzzed[] = [
  { model: 'M', prompt: 'hello', max_tokens: 8 },
  { model: 'M', prompt: ['a', 'b'], stream: true },
];

const EMBEDDINGS: Fuzzed[] = [
  { model: 'text-embedding-3-small', input: 'hello' },
  { model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float', dimensions: 8 },
];

/** The bodies once per model: the served chat models, and the virtual ones where `chat`. */
function withModels(bodies: Fuzzed[], chat = true): Fuzzed[] {
  const text = bodies.map(toJson);
  return [...RELAY_MODELS.slice(0, 3), ...(chat ? VIRTUAL_MODELS : [])].flatMap((m) =>
    text.map((t) => JSON.parse(t.replaceAll('"M"', JSON.stringify(m)).replace('models/M', `models/${m}`)) as Fuzzed),
  );
}

/** The valid bodies a relay route takes (an empty object where it takes none, or where it is not known here). */
function relaySeeds(route: FuzzRoute): Fuzzed[] {
  const { url } = route;
  if (url === '/v1' || url.endsWith('chat/completions')) return withModels(CHAT);
  if (url.endsWith('/count_tokens'))
    return withModels(ANTHROPIC).map((b) => own(Object.entries(b as object).filter(([k]) => k !== 'max_tokens')));
  if (url === '/v1/messages') return withModels(ANTHROPIC);
  if (url.endsWith('/models/*')) return withModels(GEMINI);
  if (url.endsWith('responses')) return withModels(RESPONSES);
  if (url.endsWith('completions')) return withModels(COMPLETIONS, false);
  if (url.endsWith('embeddings')) return EMBEDDINGS;
  return [{}];
}

/** Names for admin string fields: clear of the relay's models, so channels made by the fuzz never serve them. */
export const ADMIN_NAMES = ['fuzz-a', 'fuzz-b', 'default', 'vip', 'Fuzz User', 'root'];

export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** A route's valid bodies: from its admin schema, else the relay's examples. */
export function validBody(route: FuzzRoute, hints: SchemaHints): fc.Arbitrary<Fuzzed> {
  if (route.admin?.url.endsWith('chat/completions')) return fc.constantFrom(...relaySeeds(route));
  if (route.admin?.body) return fromSchema(jsonSchemaOf(route.admin.body), hints);
  if (route.area === 'admin') return fc.constant({});
  return fc.constantFrom(...relaySeeds(route));
}
