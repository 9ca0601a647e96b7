import { describe, expect, test } from 'vitest';
import { InvalidRequest } from '../core/errors.ts';
import { MAX_JSON_DEPTH, nestsDeeperThan, parseJsonBody } from './json-body.ts';

const body = (text: string): Buffer => Buffer.from(text, 'utf8');
const nested = (depth: number): string => `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;

describe('the JSON request body', () => {
  test('parses objects, arrays and scalars; an empty body is undefined', () => {
    expect(parseJsonBody(body('{"model":"m","messages":[{"role":"user","content":"hi"}]}'))).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(parseJsonBody(body('[1,2]'))).toEqual([1, 2]);
    expect(parseJsonBody(body('"text"'))).toBe('text');
    expect(parseJsonBody(Buffer.alloc(0))).toBeUndefined();
  });

  test('nesting deeper than the limit is a 400 (deep bodies once overflowed the stack of the code that walks them: 500)', () => {
    // Two levels per step: an object and the array in it.
    expect(parseJsonBody(body(nested(MAX_JSON_DEPTH / 2)))).toBeTypeOf('object');
    for (const text of [nested(MAX_JSON_DEPTH / 2 + 1), '['.repeat(200_000) + ']'.repeat(200_000)]) {
      expect(() => parseJsonBody(body(text))).toThrow(
        new InvalidRequest(`The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`),
      );
    }
  });

  test('brackets inside strings, escaped quotes included, do not count as nesting', () => {
    const text = JSON.stringify({ content: `${'['.repeat(1_000)} \\" "{{{ ${'{'.repeat(1_000)}` });
    expect(nestsDeeperThan(JSON.parse(text), 1)).toBe(false);
    expect(parseJsonBody(body(text))).toEqual(JSON.parse(text));
    expect(nestsDeeperThan(JSON.parse('{"a\\\\":[[1]]}'), 2)).toBe(true);
    expect(nestsDeeperThan(JSON.parse('{"a":[1,{"b":2}],"c":{}}'), 3)).toBe(false);
  });

  test('a body that is not UTF-8 or not JSON is a 400 saying so', () => {
    expect(() => parseJsonBody(Buffer.from([0x7b, 0xff, 0x7d]))).toThrow('not valid UTF-8');
    expect(() => parseJsonBody(body('{"model":'))).toThrow('not valid JSON');
  });
});
