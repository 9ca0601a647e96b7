/**
 * Reads fitten-code-api's `config.ini` (`[Main]` username, password, api_key) as a Switchyard config: its account
 * becomes a `fitten` provider, its api_key the one client key, and the server listens where fitten-code-api did.
 */
import type { ConfigInput } from '../schema.ts';

/** One INI file's sections, each a map of keys (lower-cased, as Python's configparser reads them) to values. */
export type IniDocument = Record<string, Record<string, string>>;

const SECTION = /^\[([^\]]+)\]\s*$/;
const ENTRY = /^([^=:]+?)\s*[=:]\s*(.*)$/;
const COMMENT = /^[;#]/;

/** `.ini` files and text whose first line that is not a comment is a `[section]` header. */
export function looksLikeIni(text: string, fileName: string): boolean {
  if (fileName.toLowerCase().endsWith('.ini')) return true;
  const first = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .find((line) => line !== '' && !COMMENT.test(line));
  return first !== undefined && SECTION.test(first) && !first.includes(',');
}

/**
 * configparser's reading: `key = value` or `key: value`, whole-line `;` and `#` comments, indented lines continuing the
 * value before them. Lines it cannot read are returned with their line numbers.
 */
export function parseIni(text: string): { document: IniDocument; errors: { line: number; text: string }[] } {
  const document: IniDocument = {};
  const errors: { line: number; text: string }[] = [];
  let section: Record<string, string> | undefined;
  let lastKey: string | undefined;
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || COMMENT.test(line)) return;
      const header = SECTION.exec(line);
      if (header) {
        const name = header[1]!.trim();
        section = document[name] ??= {};
        lastKey = undefined;
        return;
      }
      if (section && lastKey !== undefined && /^\s/.test(raw)) {
        section[lastKey] = `${section[lastKey]}\n${line}`;
        return;
      }
      const entry = ENTRY.exec(line);
      if (!section || !entry) {
        errors.push({ line: index + 1, text: section ? 'expected key=value' : 'a key outside any [section]' });
        return;
      }
      lastKey = entry[1]!.toLowerCase();
      section[lastKey] = entry[2]!.trim();
    });
  return { document, errors };
}

const MAIN_KEYS = ['username', 'password', 'api_key'] as const;

/** fitten-code-api's shape: a `[Main]` section with its keys. */
export function isFittenCodeApi(document: unknown): document is IniDocument {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return false;
  const main = (document as Record<string, unknown>)['Main'];
  return main !== null && typeof main === 'object' && MAIN_KEYS.some((key) => key in main);
}

export interface FittenCodeApiImport {
  config: ConfigInput;
  problems: { path: string; message: string }[];
  warnings: string[];
  /** Where a problem found in the converted config lives in config.ini. */
  sourcePath(path: string): string;
}

/** fitten-code-api serves on port 5000 of every interface (`uvicorn.run(host="0.0.0.0", port=5000)`). */
const SERVER = { host: '0.0.0.0', port: 5000 };
/** The one model fitten-code-api lists (GET /v1/models). */
const MODEL = 'fitten-code';

export function importFittenCodeApi(document: IniDocument): FittenCodeApiImport {
  const problems: { path: string; message: string }[] = [];
  const warnings: string[] = [];
  const main = document['Main'] ?? {};
  const value = (key: string, what: string): string => {
    const found = main[key]?.trim() ?? '';
    if (!found) problems.push({ path: `Main.${key}`, message: `required: ${what}` });
    return found;
  };
  const username = value('username', 'the Fitten Code account name');
  const password = value('password', "the Fitten Code account's password");
  const apiKey = value('api_key', 'the key clients send as their bearer token');
  for (const key of Object.keys(main)) {
    if (!(MAIN_KEYS as readonly string[]).includes(key)) warnings.push(`Main.${key}: unknown key, ignored`);
  }
  for (const name of Object.keys(document)) {
    if (name !== 'Main') warnings.push(`[${name}]: unknown section, ignored`);
  }
  const config: ConfigInput = {
    server: SERVER,
    auth: { keys: apiKey ? [apiKey] : [] },
    providers: [
      {
        name: 'fitten',
        type: 'fitten',
        // Without an account the provider's own "keys: required" would repeat the problems above.
        ...(username && password ? { keys: [`${username}:${password}`] } : { enabled: false }),
        models: [MODEL],
      },
    ],
  };
  const sourcePath = (path: string): string => {
    if (path.startsWith('providers[0].keys')) return 'Main.username';
    if (path.startsWith('auth.keys')) return 'Main.api_key';
    return path;
  };
  return { config, problems, warnings, sourcePath };
}
