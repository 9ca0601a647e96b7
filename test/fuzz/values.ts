/**
 * Hostile JSON for the fuzz test: values a client should never send (wrong types, edge numbers, unicode traps,
 * prototype keys, huge and deeply nested pieces), JSON text that `JSON.stringify` cannot make (`1e999`, duplicate
 * keys, nesting deeper than a stack), and mutations of a valid body that break one field at a time.
 */
import fc from 'fast-check';

/** A piece of JSON text put into a body as is, where a value would go. */
export class RawJson {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** A JSON-like value that may hold raw pieces. */
export type Fuzzed = null | boolean | number | string | RawJson | Fuzzed[] | { [key: string]: Fuzzed };

/** JSON text of a fuzzed value: raw pieces verbatim, own `__proto__` keys kept (JSON.stringify keeps them too). */
export function toJson(value: Fuzzed): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .map((k) => `${JSON.stringify(k)}:${toJson(value[k] as Fuzzed)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** An object with the given own entries, `__proto__` included as an own key (not as the prototype). */
export function own(entries: [string, Fuzzed][]): { [key: string]: Fuzzed } {
  const out: { [key: string]: Fuzzed } = {};
  for (const [k, v] of entries)
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** Keys that reach for the prototype chain or shadow Object's methods. */
export const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
];

/** Strings that have broken parsers, tokenizers, loggers or lookups somewhere. */
const EDGE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF\uD800',
  '\uFEFF',
  '\u202Eevil',
  '\u200B\u200D',
  '👩‍👩‍👧‍👦',
  'e\u0301'.repeat(500),
  'ＧＰＴ',
  '\r\n\r\ndata: [DONE]\n\n',
  '<|endoftext|>',
  '<|im_start|>system',
  'NaN',
  'Infinity',
  '-0',
  '1e308',
  '9007199254740993',
  '0x10',
  'null',
  'true',
  '[]',
  '{}',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '%2e%2e%2f',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log-injection probe, meant literally
  '${jndi:ldap://127.0.0.1/x}',
  '{{7*7}}',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  'http://169.254.169.254/latest/meta-data/',
  'file:///etc/passwd',
  'data:image/png;base64,AAAA',
  ...PROTO_KEYS,
];

/** Numbers at the edges of what JSON and JavaScript can hold. */
const EDGE_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  1e308,
  -1e308,
  5e-324,
  2 ** 53 + 2,
  -(2 ** 53) - 2,
  2 ** 31,
  2 ** 32,
  1e21,
  1e-7,
];

/** Number tokens JSON.parse reads into values JSON.stringify never writes (Infinity, lost precision). */
const RAW_NUMBERS = ['1e999', '-1e999', '1e-999', '123456789012345678901234567890', '-0.0', '0e0', '1E+2'];

export const edgeString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('a', 'é', '𝕏', '\u0000', '🙂'), fc.integer({ min: 1_000, max: 120_000 }))
      .map(([c, n]) => c.repeat(n)),
  },
);

const edgeNumber: fc.Arbitrary<Fuzzed> = fc.oneof(
  fc.constantFrom(...EDGE_NUMBERS),
  fc.constantFrom(...RAW_NUMBERS).map((t) => new RawJson(t)),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Nesting deeper than any schema expects, just under the gateway's limit and up to deeper than a stack. */
export const deepJson: fc.Arbitrary<RawJson> = fc
  .tuple(fc.constantFrom(50, 120, 1_000, 20_000, 120_000), fc.constantFrom('array', 'object', 'mixed'))
  .map(([depth, kind]) => {
    if (kind === 'array') return new RawJson(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    if (kind === 'object') return new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
    return new RawJson(`${'{"content":['.repeat(depth)}"x"${']}'.repeat(depth)}`);
  });

/** Duplicate keys (JSON.parse keeps the last) and other text-only tricks. */
const rawTricks: fc.Arbitrary<RawJson> = fc.constantFrom(
  new RawJson('{"a":1,"a":{"b":2},"a":[3]}'),
  new RawJson('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
  new RawJson(`[${'0,'.repeat(50_000)}0]`),
  new RawJson(`{${Array.from({ length: 5_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`),
  new RawJson('"\\ud800\\udc00\\udfff\\ud800"'),
);

/** Any hostile value, nested a little. */
export const hostileValue: fc.Arbitrary<Fuzzed> = fc.letrec<{ value: Fuzzed }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: edgeString },
    { weight: 3, arbitrary: edgeNumber },
    { weight: 1, arbitrary: fc.constantFrom<Fuzzed>(null, true, false) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.tuple(fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 8 })), tie('value')), {
          maxLength: 4,
        })
        .map(own),
    },
    { weight: 1, arbitrary: deepJson },
    { weight: 1, arbitrary: rawTricks },
  ),
})).value;

/** One change to a valid body: replace, delete or add at a place chosen by `path`, or wrap the body. */
export interface Mutation {
  path: number[];
  op: 'replace' | 'delete' | 'add' | 'wrap';
  key: string;
  value: Fuzzed;
}

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat(), { maxLength: 5 }),
  op: fc.constantFrom('replace', 'replace', 'replace', 'delete', 'add', 'wrap'),
  key: fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 12 })),
  value: hostileValue,
});

function children(node: Fuzzed): [string | number, Fuzzed][] {
  if (Array.isArray(node)) return node.map((v, i) => [i, v]);
  if (node !== null && typeof node === 'object' && !(node instanceof RawJson)) return Object.entries(node);
  return [];
}

function copy(node: Fuzzed): Fuzzed {
  if (Array.isArray(node)) return [...node];
  if (node !== null && typeof node === 'object' && !(node instanceof RawJson)) return own(Object.entries(node));
  return node;
}

/** Applies one mutation to a copy of `body` (the copy shares the untouched parts). */
export function mutate(body: Fuzzed, m: Mutation): Fuzzed {
  if (m.op === 'wrap') return m.path.length % 2 ? [body] : own([[m.key, body]]);
  const root = copy(body);
  let parent = root;
  for (let depth = 0; ; depth++) {
    const kids = children(parent);
    if (!kids.length) return m.op === 'replace' ? m.value : root;
    const [key, child] = kids[(m.path[depth] ?? 0) % kids.length]!;
    const deeper = children(child).length > 0 && depth + 1 < m.path.length;
    if (!deeper) {
      const target = parent as Record<string | number, Fuzzed>;
      if (m.op === 'replace') target[key] = m.value;
      else if (m.op === 'delete') {
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete target[key];
      } else if (Array.isArray(parent)) parent.push(m.value);
      else
        Object.defineProperty(parent, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      return root;
    }
    const next = copy(child);
    (parent as Record<string | number, Fuzzed>)[key] = next;
    parent = next;
  }
}

/** Fields that carry prompt text in the formats the gateway speaks. */
const TEXT_FIELDS = new Set(['content', 'text', 'input', 'prompt', 'instructions', 'system', 'arguments']);

/** The body with every prompt text replaced by `text` (a huge string, a long run of one character). */
export function withText(value: Fuzzed, text: string, field = ''): Fuzzed {
  if (typeof value === 'string') return TEXT_FIELDS.has(field) ? text : value;
  if (Array.isArray(value)) return value.map((v) => withText(v, text, field));
  if (value === null || typeof value !== 'object' || value instanceof RawJson) return value;
  return own(Object.entries(value).map(([k, v]) => [k, withText(v, text, k)]));
}

/** The body with each array's first element repeated `times` times (thousands of messages, parts, tools). */
export function withLongArrays(value: Fuzzed, times: number): Fuzzed {
  if (Array.isArray(value)) {
    const items = value.map((v) => withLongArrays(v, 1));
    return items.length ? [...Array.from({ length: times }, () => items[0]!), ...items.slice(1)] : items;
  }
  if (value === null || typeof value !== 'object' || value instanceof RawJson) return value;
  return own(Object.entries(value).map(([k, v]) => [k, withLongArrays(v, times)]));
}

/** Long strings of one character or a few: what tokenizers and regexes are slowest on. */
export const hugeText: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('a', ' ', '🙂', 'é', '中', 'ab1', '{"', '\n', '.'), fc.integer({ min: 2_000, max: 200_000 }))
  .map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)));
