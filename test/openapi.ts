/**
 * Checks a JSON value against a schema of OpenAI's OpenAPI document (../shared/specs/openai-openapi.yaml): the JSON
 * Schema keywords that document uses (type, properties, required, items, enum, const, anyOf, oneOf, allOf, $ref,
 * additionalProperties), enough to tell whether an answer is one the official clients are written against.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';

type Schema = Record<string, unknown>;

// A gzipped copy of ../shared/specs/openai-openapi.yaml lives in the repository, so a bare checkout can run the tests.
const SPEC_PATH = fileURLToPath(new URL('./specs/openai-openapi.yaml.gz', import.meta.url));

let schemas: Record<string, Schema> | undefined;

function components(): Record<string, Schema> {
  if (!schemas) {
    const doc = parse(gunzipSync(readFileSync(SPEC_PATH)).toString('utf8'), { maxAliasCount: -1 }) as {
      components: { schemas: Record<string, Schema> };
    };
    schemas = doc.components.schemas;
  }
  return schemas;
}

function resolve(schema: Schema): Schema {
  let current = schema;
  for (let depth = 0; typeof current.$ref === 'string' && depth < 20; depth++) {
    const name = current.$ref.replace('#/components/schemas/', '');
    const target = components()[name];
    if (!target) throw new Error(`openapi: unknown $ref ${current.$ref}`);
    current = target;
  }
  return current;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(wanted: unknown, actual: string): boolean {
  const types = Array.isArray(wanted) ? wanted : [wanted];
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

function check(value: unknown, raw: Schema, path: string, errors: string[]): void {
  const schema = resolve(raw);
  if (schema.nullable === true && value === null) return;
  const before = errors.length;
  if (schema.type !== undefined && !typeMatches(schema.type, typeOf(value))) {
    errors.push(`${path}: expected ${JSON.stringify(schema.type)}, got ${typeOf(value)}`);
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if ('const' in schema && schema.const !== value) {
    errors.push(`${path}: expected ${JSON.stringify(schema.const)}, got ${JSON.stringify(value)}`);
  }
  for (const sub of (schema.allOf as Schema[] | undefined) ?? []) check(value, sub, path, errors);
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives) {
    const matching = alternatives.filter((alt) => {
      const attempt: string[] = [];
      check(value, alt, path, attempt);
      return attempt.length === 0;
    });
    if (matching.length === 0) errors.push(`${path}: matches none of its ${alternatives.length} alternatives`);
  }
  if (errors.length > before || typeOf(value) !== 'object' || value === null) {
    if (Array.isArray(value) && schema.items) {
      for (const [i, item] of value.entries()) check(item, schema.items as Schema, `${path}[${i}]`, errors);
    }
    return;
  }
  const object = value as Record<string, unknown>;
  for (const name of (schema.required as string[] | undefined) ?? []) {
    if (!(name in object)) errors.push(`${path}.${name}: required`);
  }
  const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
  for (const [name, item] of Object.entries(object)) {
    const sub = properties[name];
    if (sub) check(item, sub, `${path}.${name}`, errors);
    else if (schema.additionalProperties === false) errors.push(`${path}.${name}: not allowed`);
    else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
      check(item, schema.additionalProperties as Schema, `${path}.${name}`, errors);
    }
  }
}

/** The problems of `value` against the named component schema (e.g. `CreateChatCompletionResponse`); empty when valid. */
export function openapiProblems(schemaName: string, value: unknown): string[] {
  const schema = components()[schemaName];
  if (!schema) throw new Error(`openapi: no schema named ${schemaName}`);
  const errors: string[] = [];
  check(value, schema, schemaName, errors);
  return errors;
}
