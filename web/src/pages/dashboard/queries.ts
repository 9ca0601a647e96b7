/**
 * The dashboard's data. Each query works out its time window when it runs (not when it is declared), so a refetch
 * (the refresh button, auto-refresh) looks at the range up to now and carries the window it used.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { LatencyStats, Page, Stats, StatsSplit, UsageLog } from '../../api/types.ts';
import type { DashboardFilters } from './filters.ts';
import { LIVE_SECONDS, type RangePreset, type RangeWindow, rangeWindow } from './range.ts';

/** How often auto-refresh reloads the range's statistics. */
export const AUTO_REFRESH_MS = 30_000;
/** How often the live view polls (only while the tab is visible). */
const LIVE_POLL_MS = 2_500;

interface Scope {
  range: RangePreset;
  userId: number | null;
}

/** The window's bounds and the user filter, as every statistics endpoint takes them. */
const rangeQuery = (window: RangeWindow, userId: number | null) => ({
  from: window.from,
  to: window.to,
  user_id: userId,
});

/**
 * How the range's queries reload: the last figures stay on screen while new ones load, and coming back to the
 * dashboard shows what happened meanwhile, not the figures of the last visit.
 */
const reloading = (autoRefresh: boolean) => ({
  placeholderData: keepPreviousData,
  refetchOnMount: 'always' as const,
  refetchInterval: autoRefresh ? AUTO_REFRESH_MS : (false as const),
});

/** Totals over time (in the range's buckets, split by the breakdown) and the range's summary. */
export function useTimeStats(filters: DashboardFilters, autoRefresh: boolean) {
  const { range, userId, breakdown } = filters;
  return useQuery({
    queryKey: ['stats', 'time', range, breakdown, userId],
    queryFn: async (): Promise<{ window: RangeWindow; stats: Stats }> => {
      const window = rangeWindow(range);
      const stats = await api.get<Stats>('/api/stats', {
        ...rangeQuery(window, userId),
        group_by: window.bucket,
        tz_offset: window.tzOffset,
        split_by: breakdown,
      });
      return { window, stats };
    },
    ...reloading(autoRefresh),
  });
}

/** The range's totals per model, channel, token or user. */
export function useGroupStats(filters: Scope, group: StatsSplit, autoRefresh: boolean) {
  const { range, userId } = filters;
  return useQuery({
    queryKey: ['stats', 'group', group, range, userId],
    queryFn: () => api.get<Stats>('/api/stats', { ...rangeQuery(rangeWindow(range), userId), group_by: group }),
    ...reloading(autoRefresh),
  });
}

export function useLatencyStats(filters: Scope, autoRefresh: boolean) {
  const { range, userId } = filters;
  return useQuery({
    queryKey: ['stats', 'latency', range, userId],
    queryFn: () => api.get<LatencyStats>('/api/stats/latency', rangeQuery(rangeWindow(range), userId)),
    ...reloading(autoRefresh),
  });
}

/** The last minute's logs, newest first (at most 100 of them; `total` counts them all). */
export function useLiveLogs(userId: number | null) {
  return useQuery({
    queryKey: ['logs', 'live', userId],
    queryFn: async (): Promise<{ from: number; page: Page<UsageLog> }> => {
      const from = Date.now() - LIVE_SECONDS * 1000;
      const page = await api.get<Page<UsageLog>>('/api/logs', { from, page_size: 100, user_id: userId });
      return { from, page };
    },
    refetchInterval: LIVE_POLL_MS,
    refetchIntervalInBackground: false,
    placeholderData: keepPreviousData,
  });
}
