/** Zod issues as config problems a person can act on: one line each, with the path where the fix goes. */
import type { z } from 'zod';
import type { ConfigProblem } from './loader.ts';
import { formatPath } from './path.ts';

type Issue = z.core.$ZodIssue;

/** Every issue under `base` (the path of the value that was parsed), unions unfolded to the branch the input meant. */
export function issueProblems(issues: readonly Issue[], base: readonly PropertyKey[] = []): ConfigProblem[] {
  return issues.flatMap((issue) => problemsOf(issue, [...base, ...issue.path]));
}

function problemsOf(issue: Issue, path: PropertyKey[]): ConfigProblem[] {
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: 'unknown key' }));
    case 'invalid_type':
      // Zod only reports `received undefined` for a field that is absent.
      return [
        { path: formatPath(path), message: issue.message.endsWith('received undefined') ? 'required' : brief(issue) },
      ];
    case 'invalid_union': {
      const meant = issue.errors.filter((branch) => !branch.some(isTypeMismatch));
      if (meant.length === 1) return issueProblems(meant[0]!, path);
      const expected = issue.errors.flatMap((branch) => branch.filter(isTypeMismatch).map(expectedOf));
      if (issue.errors.length > 0 && meant.length === 0 && expected.length > 0) {
        return [{ path: formatPath(path), message: `expected ${[...new Set(expected)].join(' or ')}` }];
      }
      return [{ path: formatPath(path), message: brief(issue) }];
    }
    default:
      return [{ path: formatPath(path), message: brief(issue) }];
  }
}

/** A branch of a union that failed on the value's own type was not the branch the user meant. */
function isTypeMismatch(issue: Issue): boolean {
  return issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
}

function expectedOf(issue: Issue): string {
  if (issue.code === 'invalid_type') return issue.expected;
  if (issue.code === 'invalid_value') return issue.values.map((value) => JSON.stringify(value)).join(' or ');
  return 'something else';
}

/** Zod's messages start with a generic lead ("Invalid input: ") that says nothing the path does not. */
function brief(issue: Issue): string {
  return issue.message.replace(/^Invalid (input|option): /, '');
}

/**
 * Parses `value` with a schema whose fields are all optional; fields that fail are reported and dropped, so the rest
 * still converts and every problem is found in one pass.
 */
export function parseLeniently<T>(
  schema: z.ZodType<T>,
  value: unknown,
  base: readonly PropertyKey[],
  problems: ConfigProblem[],
): T | undefined {
  const first = schema.safeParse(value);
  if (first.success) return first.data;
  problems.push(...issueProblems(first.error.issues, base));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const failed = new Set(first.error.issues.map((issue) => issue.path[0]));
  const rest = Object.fromEntries(Object.entries(value).filter(([key]) => !failed.has(key)));
  const second = schema.safeParse(rest);
  return second.success ? second.data : undefined;
}
