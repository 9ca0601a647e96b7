/**
 * Values that a route's own JSON schema (the admin API's zod schemas, as /api/openapi.json publishes them) accepts,
 * or nearly: valid bodies reach the handlers, and mutating them reaches every check along the way.
 */
import fc from 'fast-check';
import { type Fuzzed, own } from './values.ts';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  maxItems?: number;
};

/** What string fields get by name: URLs point at a live mock, names stay clear of the relay's models. */
export interface SchemaHints {
  url: string;
  names: readonly string[];
}

function stringOf(schema: JsonSchema, field: string, hints: SchemaHints): fc.Arbitrary<Fuzzed> {
  if (schema.format === 'uri' || /url$/.test(field)) return fc.constant(hints.url);
  if (schema.format === 'email') return fc.constantFrom('fuzz@example.com', 'a@b.co');
  const min = schema.minLength ?? 0;
  const max = Math.max(min, Math.min(schema.maxLength ?? 24, 24));
  return fc.oneof(fc.constantFrom(...hints.names), fc.string({ minLength: min, maxLength: max }));
}

function numberOf(schema: JsonSchema, integer: boolean): fc.Arbitrary<Fuzzed> {
  const min = schema.minimum ?? (schema.exclusiveMinimum === undefined ? -1000 : schema.exclusiveMinimum + 1);
  const max = Math.min(schema.maximum ?? 1_000_000, 1_000_000);
  if (integer) return fc.integer({ min: Math.max(min, -1_000_000), max: Math.max(min, max) });
  return fc.double({ min, max: Math.max(min, max), noNaN: true });
}

/** An arbitrary of values `schema` accepts (patterns aside: a `pattern` string is a plain one, often refused). */
export function fromSchema(schema: JsonSchema, hints: SchemaHints, field = '', depth = 0): fc.Arbitrary<Fuzzed> {
  if (schema.const !== undefined) return fc.constant(schema.const as Fuzzed);
  if (schema.enum) return fc.constantFrom(...(schema.enum as Fuzzed[]));
  const union = schema.anyOf ?? schema.oneOf;
  if (union?.length) return fc.oneof(...union.map((s) => fromSchema(s, hints, field, depth)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringOf(schema, field, hints);
    case 'integer':
      return numberOf(schema, true);
    case 'number':
      return numberOf(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      if (depth > 4) return fc.constant([]);
      return fc.array(fromSchema(schema.items ?? {}, hints, field, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)),
      });
    case 'object': {
      if (depth > 4) return fc.constant({});
      const props = Object.entries(schema.properties ?? {});
      const required = new Set(schema.required ?? []);
      const fields = props.map(([name, s]) =>
        required.has(name)
          ? fromSchema(s, hints, name, depth + 1).map((v): [string, Fuzzed][] => [[name, v]])
          : fc
              .option(fromSchema(s, hints, name, depth + 1), { nil: undefined })
              .map((v): [string, Fuzzed][] => (v === undefined ? [] : [[name, v]])),
      );
      const extra =
        typeof schema.additionalProperties === 'object' && !props.length
          ? fc.array(
              fc.tuple(fc.constantFrom(...hints.names), fromSchema(schema.additionalProperties, hints, '', depth + 1)),
              {
                maxLength: 2,
              },
            )
          : fc.constant([] as [string, Fuzzed][]);
      return fc.tuple(fc.tuple(...fields), extra).map(([parts, more]) => own([...parts.flat(), ...more]));
    }
    default:
      return fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Fuzzed>;
  }
}
