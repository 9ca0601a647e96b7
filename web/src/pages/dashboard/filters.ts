/** What the dashboard shows (range, breakdown, user), kept in the address so a reload or a shared link keeps it. */
import { useSearchParams } from 'react-router';
import type { StatsSplit } from '../../api/types.ts';
import { isRange, type RangePreset } from './range.ts';

export const BREAKDOWNS: readonly StatsSplit[] = ['model', 'channel', 'token', 'user'];

/** Users see only their own usage: a breakdown by user is for admins. */
export const breakdownsFor = (admin: boolean): readonly StatsSplit[] =>
  admin ? BREAKDOWNS : BREAKDOWNS.filter((b) => b !== 'user');

export interface DashboardFilters {
  range: RangePreset;
  breakdown: StatsSplit;
  /** An admin's choice of one user; null is everyone (and always null for users: the API scopes them). */
  userId: number | null;
}

const DEFAULTS: DashboardFilters = { range: '24h', breakdown: 'model', userId: null };

export function useDashboardFilters(admin: boolean): [DashboardFilters, (patch: Partial<DashboardFilters>) => void] {
  const [params, setParams] = useSearchParams();
  const range = params.get('range');
  const breakdown = breakdownsFor(admin).find((b) => b === params.get('by'));
  const userId = Number(params.get('user'));
  const filters: DashboardFilters = {
    range: isRange(range) ? range : DEFAULTS.range,
    breakdown: breakdown ?? DEFAULTS.breakdown,
    userId: admin && Number.isInteger(userId) && userId > 0 ? userId : null,
  };
  const update = (patch: Partial<DashboardFilters>) => {
    const next = { ...filters, ...patch };
    const query = new URLSearchParams();
    if (next.range !== DEFAULTS.range) query.set('range', next.range);
    if (next.breakdown !== DEFAULTS.breakdown) query.set('by', next.breakdown);
    if (next.userId !== null) query.set('user', String(next.userId));
    setParams(query, { replace: true });
  };
  return [filters, update];
}
