/** The JSON request body as every route reads it: UTF-8, valid JSON, and not nested deeper than code can walk. */
import { isUtf8 } from 'node:buffer';
import { InvalidRequest } from '../core/errors.ts';

/**
 * Arrays and objects nested deeper than this are refused. JSON.parse reads any depth, but what comes after walks the
 * body recursively (JSON.stringify of a forwarded body, the Gemini decoder's field renaming) and a few thousand
 * levels — a few kilobytes of `[` — run it out of stack. Real requests (tool schemas included) nest a few dozen.
 */
export const MAX_JSON_DEPTH = 128;

/**
 * Whether a parsed value nests arrays and objects deeper than `max`: walked over the parsed nodes, not the bytes (a
 * chat body is mostly strings). Recursive, but never deeper than `max` + 1 calls, whatever the body.
 */
export function nestsDeeperThan(value: unknown, max: number, depth = 1): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth > max) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (nestsDeeperThan(value[i], max, depth + 1)) return true;
    return false;
  }
  for (const key in value) if (nestsDeeperThan((value as Record<string, unknown>)[key], max, depth + 1)) return true;
  return false;
}

/** The parsed body (undefined when empty); a 400 when it is not UTF-8, not JSON, or nested too deep. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  if (!isUtf8(body)) throw new InvalidRequest('The request body is not valid UTF-8.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new InvalidRequest(`The request body is not valid JSON: ${(err as Error).message}`);
  }
  if (nestsDeeperThan(parsed, MAX_JSON_DEPTH)) {
    throw new InvalidRequest(`The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  return parsed;
}
