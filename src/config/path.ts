/** Config paths written the way users read them: `providers[2].keys`, `prices["llama-3.3-70b"].input`. */

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function formatPath(segments: readonly PropertyKey[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else {
      const key = String(segment);
      // Model names carry dots ("gpt-4.1"), which would read as nesting; quote them instead.
      if (!PLAIN_KEY.test(key)) path += `[${JSON.stringify(key)}]`;
      else path += path === '' ? key : `.${key}`;
    }
  }
  return path;
}
