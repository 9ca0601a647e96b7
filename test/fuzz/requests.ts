/**
 * Hostile requests for one route of the gateway: its path parameters, query string, headers and body generated
 * around valid examples (see seeds.ts): malformed, oversized, odd in every part.
 */
import fc from 'fast-check';
import type { FuzzRoute } from './routes.ts';
import type { SchemaHints } from './schema.ts';
import { HOSTILE_MODELS, hostileModel, jsonSchemaOf, RELAY_MODELS, VIRTUAL_MODELS, validBody } from './seeds.ts';
import {
  deepJson,
  edgeString,
  type Fuzzed,
  hostileValue,
  hugeText,
  mutate,
  mutation,
  own,
  PROTO_KEYS,
  toJson,
  withLongArrays,
  withText,
} from './values.ts';

/** A percent-encoding that takes any string (encodeURIComponent throws on lone surrogates). */
export function percentEncode(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** Broken escapes, traversal and numbers that are not ids, as they would appear in a URL. */
const RAW_SEGMENTS = [
  '%ZZ',
  '%',
  '%E0%A4%A',
  '%C0%AF',
  '..',
  '.',
  '%2e%2e',
  '..%2f..%2fetc%2fpasswd',
  '%00',
  '-1',
  '0',
  '1e308',
  'NaN',
  '99999999999999999999',
  '1.5',
  '%201',
  '0x1',
  'config:',
  'config:__proto__',
];
const VALID_SEGMENTS = ['1', '2', '3', 'config:mock', 'default', 'gpt-4o-mini', 'resp_fuzz', 'fuzz-conversation'];

const segment: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...VALID_SEGMENTS) },
  { weight: 3, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
  { weight: 2, arbitrary: edgeString.map((s) => percentEncode(s.slice(0, 300))) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) },
);

const GEMINI_ACTIONS = [
  'generateContent',
  'streamGenerateContent',
  'countTokens',
  '',
  'GENERATECONTENT',
  '__proto__',
  'constructor',
  'generateContent:x',
];

/** Gemini's `{model}:{action}` (the routes' wildcard): models with slashes and colons, actions real and not. */
const geminiRest: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...RELAY_MODELS.slice(0, 3), ...VIRTUAL_MODELS) },
      { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_MODELS).map((m) => percentEncode(m)) },
      { weight: 1, arbitrary: fc.constantFrom('models/gemini-2.5-flash', 'a/b/c', '', ':', '%ZZ', '..%2F..') },
    ),
    fc.constantFrom(...GEMINI_ACTIONS),
    fc.boolean(),
  )
  .map(([m, action, colon]) => (colon || action ? `${m}:${action}` : m));

function pathOf(url: string): fc.Arbitrary<string> {
  const parts = url.split('/').map((p): fc.Arbitrary<string> => {
    if (p === '*') return geminiRest;
    if (p.startsWith(':')) return segment;
    return fc.constant(p);
  });
  return fc.tuple(...parts).map((p) => p.join('/'));
}

const QUERY_KEYS = [
  'reasoning_format',
  'thinking',
  'limit',
  'before',
  'page',
  'page_size',
  'user_id',
  'from',
  'to',
  'tz',
  'a[b]',
  'a[]',
  ...PROTO_KEYS,
];
const QUERY_VALUES = [
  'true',
  'false',
  'reasoning',
  'thinking',
  'reasoning_content',
  '1',
  '0',
  '-1',
  '100',
  '101',
  '1e308',
  'Europe/Paris',
  'Mars/Olympus',
  '',
];

function queryOf(route: FuzzRoute): fc.Arbitrary<string> {
  const declared = route.admin?.query ? Object.keys((jsonSchemaOf(route.admin.query).properties as object) ?? {}) : [];
  const key = fc.oneof(
    fc.constantFrom(...QUERY_KEYS, ...declared),
    edgeString.map((s) => percentEncode(s.slice(0, 50))),
  );
  const value = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...QUERY_VALUES) },
    { weight: 2, arbitrary: edgeString.map((s) => percentEncode(s.slice(0, 2_000))) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
  );
  return fc
    .array(fc.tuple(key, value), { maxLength: 4 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));
}

type ValidVia = 'bearer' | 'x-api-key' | 'x-goog-api-key' | 'query' | 'session' | 'access-token';

/** Who the request claims to be: the valid key (or session) most of the time, so that it reaches the decoders. */
export type Auth = { kind: 'valid'; via: ValidVia } | { kind: 'bad'; header: string; value: string } | { kind: 'none' };

const BAD_AUTH: [string, string][] = [
  ['authorization', 'Bearer sk-wrong'],
  ['authorization', 'Bearer'],
  ['authorization', 'Basic c2stY2xpZW50LXRlc3Q6'],
  ['authorization', `Bearer ${'k'.repeat(8_000)}`],
  ['authorization', 'bearer  sk-client-test  trailing'],
  ['x-api-key', ''],
  ['x-goog-api-key', '\u00ff\u00fe'],
  ['cookie', 'switchyard_session=%E0%A4%A'],
  ['cookie', 'switchyard_session=e30.bm90LWEtc2lnbmF0dXJl'],
  ['cookie', 'switchyard_session=; switchyard_session=x.y'],
  ['cookie', `a=${'b'.repeat(8_000)}`],
];

function authOf(route: FuzzRoute): fc.Arbitrary<Auth> {
  const valid: ValidVia[] =
    route.area === 'admin'
      ? ['session', 'session', 'access-token']
      : ['bearer', 'bearer', 'x-api-key', 'x-goog-api-key', 'query'];
  return fc.oneof(
    { weight: 17, arbitrary: fc.constantFrom(...valid).map((via): Auth => ({ kind: 'valid', via })) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...BAD_AUTH).map(([header, value]): Auth => ({ kind: 'bad', header, value })),
    },
    { weight: 1, arbitrary: fc.constant<Auth>({ kind: 'none' }) },
  );
}

const EXTRA_HEADERS: fc.Arbitrary<[string, string]> = fc.tuple(
  fc.constantFrom(
    'x-fuzz',
    'anthropic-version',
    'anthropic-beta',
    'x-reasoning-format',
    'x-thinking',
    'accept',
    'x-forwarded-for',
    'content-encoding',
    'x-request-id',
    'user-agent',
  ),
  fc.oneof(
    fc.constantFrom('2023-06-01', 'true', 'maybe', 'reasoning', 'text/html', 'gzip', '1.2.3.4, ::1', '\u00ff'),
    fc.integer({ min: 1_000, max: 12_000 }).map((n) => 'h'.repeat(n)),
    fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
  ),
);

/** A body as it goes on the wire: its bytes, its content type (none when undefined) and what kind of hostile it is. */
export interface Body {
  kind: string;
  payload: string | Buffer;
  contentType: string | undefined;
}

const JSON_TYPE = 'application/json';
const OTHER_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/jsonx',
  'APPLICATION/JSON',
  'application/json;charset=latin1',
  'application/*',
  '',
];
const BAD_BYTES = [
  Buffer.from([0xff, 0xfe, 0xfd]),
  Buffer.from([0xc3, 0x28]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xe2, 0x82]),
];

function bodyOf(route: FuzzRoute, hints: SchemaHints, bodyLimit: number): fc.Arbitrary<Body> {
  const valid = validBody(route, hints);
  const json = (kind: string, value: fc.Arbitrary<Fuzzed>): fc.Arbitrary<Body> =>
    value.map((v) => ({ kind, payload: toJson(v), contentType: JSON_TYPE }));
  const withModel = (v: Fuzzed, m: Fuzzed): Fuzzed =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && 'model' in v
      ? own([...Object.entries(v), ['model', m]])
      : v;
  return fc.oneof(
    { weight: 8, arbitrary: json('valid', valid) },
    {
      weight: 40,
      arbitrary: json(
        'mutated',
        fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([v, ms]) => ms.reduce(mutate, v)),
      ),
    },
    {
      weight: 10,
      arbitrary: json(
        'hostile model',
        fc.tuple(valid, hostileModel).map(([v, m]) => withModel(v, m)),
      ),
    },
    {
      weight: 4,
      arbitrary: json(
        'huge strings',
        fc.tuple(valid, hugeText).map(([v, text]) => withText(v, text)),
      ),
    },
    {
      weight: 2,
      arbitrary: json(
        'huge arrays',
        fc.tuple(valid, fc.integer({ min: 100, max: 5_000 })).map(([v, n]) => withLongArrays(v, n)),
      ),
    },
    { weight: 6, arbitrary: json('hostile value', hostileValue) },
    { weight: 3, arbitrary: json('deep', deepJson) },
    { weight: 3, arbitrary: json('json value', fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Fuzzed>) },
    {
      weight: 4,
      arbitrary: fc.tuple(valid, fc.nat(), fc.constantFrom(...BAD_BYTES)).map(([v, at, bad]): Body => {
        const text = Buffer.from(toJson(v));
        const cut = at % (text.length + 1);
        return {
          kind: 'invalid utf-8',
          payload: Buffer.concat([text.subarray(0, cut), bad, text.subarray(cut)]),
          contentType: JSON_TYPE,
        };
      }),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(valid, fc.nat()).map(([v, at]): Body => {
        const text = toJson(v);
        return { kind: 'truncated', payload: text.slice(0, at % Math.max(text.length, 1)), contentType: JSON_TYPE };
      }),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom<Body>(
        { kind: 'empty', payload: '', contentType: JSON_TYPE },
        { kind: 'empty', payload: '', contentType: undefined },
        { kind: 'bom', payload: '\uFEFF{}', contentType: JSON_TYPE },
      ),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(valid, fc.constantFrom(...OTHER_TYPES))
        .map(([v, type]): Body => ({ kind: 'content type', payload: toJson(v), contentType: type || undefined })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.integer({ min: 1, max: 64 * 1024 }), fc.boolean()).map(([extra, asJson]): Body => {
        const filler = 'x'.repeat(bodyLimit + extra);
        return {
          kind: 'oversized',
          payload: asJson ? `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"${filler}"}]}` : filler,
          contentType: JSON_TYPE,
        };
      }),
    },
  );
}

/** One generated request. */
export interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  auth: Auth;
  headers: Record<string, string>;
  body: Body | undefined;
}

const TAKES_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Requests for one route; `bodyLimit` is the gateway's, for bodies just past it. */
export function requestsFor(route: FuzzRoute, hints: SchemaHints, bodyLimit: number): fc.Arbitrary<FuzzRequest> {
  const body = TAKES_BODY.has(route.method)
    ? route.method === 'DELETE'
      ? fc.option(bodyOf(route, hints, bodyLimit), { nil: undefined, freq: 2 })
      : bodyOf(route, hints, bodyLimit)
    : fc.constant(undefined);
  return fc
    .record({
      path: pathOf(route.url),
      query: queryOf(route),
      auth: authOf(route),
      extra: fc.array(EXTRA_HEADERS, { maxLength: 2 }),
      body,
    })
    .map(({ path, query, auth, extra, body }) => ({
      method: route.method,
      path,
      query,
      auth,
      headers: Object.fromEntries(extra),
      body,
    }));
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
const STRAY_SUFFIXES = [
  '',
  '/x',
  '/',
  '//',
  '/..',
  '/%2e%2e',
  '/__proto__',
  '/%ZZ',
  ':generateContent',
  '/count_tokens/x',
];

/**
 * Requests no route takes: a route's path with a method it does not have, or with more path after it. They are
 * answered by the not-found handler, in the format of the API family their path belongs to.
 */
export function strayRequests(
  routes: readonly FuzzRoute[],
  hints: SchemaHints,
  bodyLimit: number,
): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(fc.constantFrom(...routes), fc.constantFrom(...METHODS), fc.constantFrom(...STRAY_SUFFIXES))
    .chain(([route, method, suffix]) =>
      requestsFor(
        { ...route, method: method === 'GET' || method === 'DELETE' ? method : 'POST' },
        hints,
        bodyLimit,
      ).map((r): FuzzRequest => ({ ...r, method, path: `${r.path}${suffix}` })),
    );
}
