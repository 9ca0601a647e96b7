/** Parsers for the human units a config file uses: durations ("60s", "5m", 1500ms) and byte sizes ("20mb"). */
import { z } from 'zod';

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration: a number of seconds, or a string with a unit (ms, s, m, h). Parsed to milliseconds. */
export const duration = z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return Math.round(value * 1000);
  const match = DURATION.exec(value.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `not a duration: "${value}" (use e.g. 30s, 500ms, 5m)` });
    return z.NEVER;
  }
  return Math.round(Number(match[1]) * DURATION_MS[(match[2] ?? 's').toLowerCase()]!);
});

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?$/i;
const SIZE_BYTES: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
};

/** A byte size: a number of bytes, or a string with a unit (kb, mb, gb). */
export const byteSize = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const match = SIZE.exec(value.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `not a size: "${value}" (use e.g. 20mb, 512kb)` });
    return z.NEVER;
  }
  return Math.round(Number(match[1]) * SIZE_BYTES[(match[2] ?? 'b').toLowerCase()]!);
});
