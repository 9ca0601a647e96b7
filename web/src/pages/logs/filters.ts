/** The log list's view as it lives in the URL (bookmarkable: `/logs?token_id=3`), and the API query it stands for. */
import type { Query } from '../../api/client.ts';
import { PAGE_SIZES } from '../../ui/page.tsx';

const HOUR_MS = 3_600_000;
/** Ranges that count back from now: kept by name in the URL, so a bookmark always shows the latest. */
export const RANGES = { '1h': HOUR_MS, '24h': 24 * HOUR_MS, '7d': 7 * 24 * HOUR_MS, '30d': 30 * 24 * HOUR_MS } as const;
export type RangePreset = keyof typeof RANGES;
/** `all` has no bounds; `custom` takes from and to. */
export type Range = RangePreset | 'all' | 'custom';

export interface LogFilters {
  range: Range;
  /** Unix ms; only with the custom range. */
  from: number | null;
  to: number | null;
  model: string | null;
  channel: string | null;
  tokenId: number | null;
  userId: number | null;
  /** One status code, every error (4xx and 5xx), or null for any. */
  status: number | 'errors' | null;
  requestId: string;
}

export interface LogView {
  filters: LogFilters;
  page: number;
  pageSize: number;
}

export const NO_FILTERS: LogFilters = {
  range: 'all',
  from: null,
  to: null,
  model: null,
  channel: null,
  tokenId: null,
  userId: null,
  status: null,
  requestId: '',
};

const DEFAULT_PAGE_SIZE = 20;

export const isPreset = (range: string | null): range is RangePreset => range !== null && Object.hasOwn(RANGES, range);

function positive(text: string | null): number | null {
  const n = Number(text);
  return text && Number.isSafeInteger(n) && n > 0 ? n : null;
}

export function viewOf(params: URLSearchParams): LogView {
  const range = params.get('range');
  const from = positive(params.get('from'));
  const to = positive(params.get('to'));
  const pageSize = positive(params.get('page_size'));
  return {
    filters: {
      range: isPreset(range) ? range : from !== null || to !== null ? 'custom' : 'all',
      from,
      to,
      model: params.get('model') || null,
      channel: params.get('channel') || null,
      tokenId: positive(params.get('token_id')),
      userId: positive(params.get('user_id')),
      status: params.get('errors_only') === 'true' ? 'errors' : positive(params.get('status')),
      requestId: params.get('request_id') ?? '',
    },
    page: positive(params.get('page')) ?? 1,
    pageSize: pageSize !== null && PAGE_SIZES.includes(String(pageSize)) ? pageSize : DEFAULT_PAGE_SIZE,
  };
}

/** The query of the URL: the filters under the API's names, presets by name, defaults left out. */
export function searchOf({ filters: f, page, pageSize }: LogView): Query {
  const custom = f.range === 'custom';
  return {
    range: isPreset(f.range) ? f.range : undefined,
    from: custom ? f.from : undefined,
    to: custom ? f.to : undefined,
    ...filterQuery(f),
    page: page > 1 ? page : undefined,
    page_size: pageSize === DEFAULT_PAGE_SIZE ? undefined : pageSize,
  };
}

/** The API's filters (the list's and the export's): a preset range counts back from `now`. */
export function apiQuery(f: LogFilters, now: number): Query {
  return {
    from: isPreset(f.range) ? now - RANGES[f.range] : f.range === 'custom' ? f.from : undefined,
    to: f.range === 'custom' ? f.to : undefined,
    ...filterQuery(f),
  };
}

/** Everything but the time range, as the API names it. */
function filterQuery(f: LogFilters): Query {
  return {
    model: f.model,
    channel: f.channel,
    token_id: f.tokenId,
    user_id: f.userId,
    status: typeof f.status === 'number' ? f.status : undefined,
    errors_only: f.status === 'errors' ? 'true' : undefined,
    request_id: f.requestId.trim(),
  };
}

/** How many filters narrow the list (the time range counts as one). */
export function activeCount(f: LogFilters): number {
  const set = [
    f.range !== 'all',
    f.model !== null,
    f.channel !== null,
    f.tokenId !== null,
    f.userId !== null,
    f.status !== null,
    f.requestId.trim() !== '',
  ];
  return set.filter(Boolean).length;
}
