/** Turns the API's time buckets into chart rows: one per bucket of the window (zeros where nothing happened). */
import type { StatsBucket } from '../../api/types.ts';
import { bucketIndex, type RangeWindow } from './range.ts';

/** The breakdown's busiest series get their own colour; the rest are summed as "other". */
const TOP_SERIES = 5;
export const SERIES_COLORS = ['indigo.6', 'teal.6', 'orange.6', 'grape.6', 'cyan.6'] as const;
export const OTHER_COLOR = 'gray.5';

/** A charted series: its key in the rows (`s0`…, `other`: names such as `gpt-4.1` would read as paths), its name. */
export interface SeriesKey {
  key: string;
  /** The API's series value (a model, channel, token name or user id); null for the rest as "other". */
  name: string | null;
}

export interface TimeRow {
  time: number;
  requests: number;
  errors: number;
  /** Failed share of the bucket's requests; null without requests (no rate to show). */
  errorRate: number | null;
  prompt: number;
  completion: number;
  cost: number;
  /** Requests per series, by SeriesKey.key. */
  [series: string]: number | null;
}

export interface TimeSeries {
  rows: TimeRow[];
  series: SeriesKey[];
}

/** The series by total requests, the busiest first; the tail folded into "other" when it has more than one. */
function rankSeries(buckets: readonly StatsBucket[]): { series: SeriesKey[]; keyOf: Map<string, string> } {
  const requests = new Map<string, number>();
  for (const b of buckets) if (b.series !== null) requests.set(b.series, (requests.get(b.series) ?? 0) + b.requests);
  const ranked = [...requests.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
  const own = ranked.length > TOP_SERIES + 1 ? ranked.slice(0, TOP_SERIES) : ranked;
  const series: SeriesKey[] = own.map((name, i) => ({ key: `s${i}`, name }));
  const keyOf = new Map(series.map((s) => [s.name ?? '', s.key]));
  if (ranked.length > own.length) series.push({ key: 'other', name: null });
  return { series, keyOf };
}

export function timeSeries(window: RangeWindow, buckets: readonly StatsBucket[]): TimeSeries {
  const { series, keyOf } = rankSeries(buckets);
  const rows: TimeRow[] = window.starts.map((time) => {
    const row: TimeRow = { time, requests: 0, errors: 0, errorRate: null, prompt: 0, completion: 0, cost: 0 };
    for (const s of series) row[s.key] = 0;
    return row;
  });
  for (const b of buckets) {
    const row = b.start === null ? undefined : rows[bucketIndex(window, b.start)];
    if (!row) continue;
    row.requests += b.requests;
    row.errors += b.errors;
    row.prompt += b.prompt_tokens;
    row.completion += b.completion_tokens;
    row.cost += b.cost_usd;
    if (b.series !== null) {
      const key = keyOf.get(b.series) ?? 'other';
      row[key] = (row[key] ?? 0) + b.requests;
    }
  }
  for (const row of rows) row.errorRate = row.requests ? row.errors / row.requests : null;
  return { rows, series };
}
