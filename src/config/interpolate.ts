/** Environment interpolation for parsed config documents: `${VAR}`, `${VAR:-default}`, and `$${VAR}` for a literal `${VAR}`. */
import { formatPath } from './path.ts';

// `$` then an optional second `$` (the escape), then `{NAME}` or `{NAME:-default}`.
const PLACEHOLDER = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** A `${VAR}` without a default whose variable is not set: it became '' at `path`. */
export interface UnsetVariable {
  name: string;
  path: string;
}

export interface Interpolated {
  value: unknown;
  unset: UnsetVariable[];
}

/**
 * Replaces placeholders in every string value of a parsed document (never in keys, never in the raw text, so a
 * secret holding quotes or newlines cannot change the document's structure).
 */
export function interpolate(document: unknown, env: NodeJS.ProcessEnv): Interpolated {
  const unset: UnsetVariable[] = [];
  const walk = (value: unknown, path: PropertyKey[]): unknown => {
    if (typeof value === 'string') {
      return interpolateString(value, env, (name) => unset.push({ name, path: formatPath(path) }));
    }
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index]));
    if (value !== null && typeof value === 'object') {
      const result: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) result[key] = walk(item, [...path, key]);
      return result;
    }
    return value;
  };
  return { value: walk(document, []), unset };
}

export function interpolateString(text: string, env: NodeJS.ProcessEnv, onUnset?: (name: string) => void): string {
  if (!text.includes('${')) return text;
  return text.replace(PLACEHOLDER, (match, escaped: string, name: string, fallback: string | undefined) => {
    if (escaped) return match.slice(1);
    const value = env[name];
    // Shell semantics: `:-` applies when the variable is unset or empty.
    if (fallback !== undefined) return value ? value : fallback;
    if (value === undefined) onUnset?.(name);
    return value ?? '';
  });
}
