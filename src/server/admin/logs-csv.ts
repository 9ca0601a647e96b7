/** Usage logs as CSV (RFC 4180) for spreadsheets: the export's header and rows, with would-be formulas defused. */
import type { UsageLogRow } from '../../store/schema.ts';

type Cell = string | number | null;

const COLUMNS: readonly (readonly [string, (log: UsageLogRow) => Cell])[] = [
  ['time', (l) => new Date(l.created_at).toISOString()],
  ['request_id', (l) => l.request_id],
  ['parent_request_id', (l) => l.parent_request_id ?? null],
  ['user_id', (l) => l.user_id],
  ['token_name', (l) => l.token_name],
  ['channel', (l) => l.channel],
  ['model', (l) => l.model],
  ['upstream_model', (l) => l.upstream_model],
  ['prompt_tokens', (l) => l.prompt_tokens],
  ['completion_tokens', (l) => l.completion_tokens],
  ['cached_tokens', (l) => l.cached_tokens],
  ['cost_usd', (l) => l.cost_usd],
  ['quota', (l) => l.quota],
  ['latency_ms', (l) => l.latency_ms],
  ['ttft_ms', (l) => l.ttft_ms],
  ['stream', (l) => (l.stream === 1 ? 'true' : 'false')],
  ['status', (l) => l.status],
  ['error', (l) => l.error],
  ['ip', (l) => l.ip],
];

/**
 * What makes a spreadsheet read a text cell as a formula (OWASP's CSV injection list): such a cell is prefixed with
 * a single quote, so a model name or an upstream's error message cannot run anything on the reader's machine.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const CSV_HEADER = `${COLUMNS.map(([name]) => name).join(',')}\r\n`;

export function csvRow(log: UsageLogRow): string {
  return `${COLUMNS.map(([, cell]) => csvCell(cell(log))).join(',')}\r\n`;
}
