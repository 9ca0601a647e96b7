/** What the log filters offer: the models and channels the logs name, and the keys the caller can see. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Page, Stats, Token } from '../../api/types.ts';

/** The most keys a filter lists (the API's page size limit); a key beyond them can still come from the URL. */
const TOKEN_OPTIONS = 100;

/** The distinct models (or channels) in the caller's logs, from the statistics grouped by them. */
export function useLoggedNames(groupBy: 'model' | 'channel', enabled = true): string[] {
  const stats = useQuery({
    queryKey: ['stats', { group_by: groupBy }],
    queryFn: () => api.get<Stats>('/api/stats', { group_by: groupBy }),
    enabled,
    staleTime: 60_000,
  });
  return (stats.data?.buckets ?? []).map((b) => b.key).filter((key) => key !== '');
}

/** The keys to pick from (an admin's choice of user narrows them), each named with its hint: names may repeat. */
export function useTokenOptions(userId: number | null, selected: number | null): { value: string; label: string }[] {
  const tokens = useQuery({
    queryKey: ['tokens', { page: 1, pageSize: TOKEN_OPTIONS, userId }],
    queryFn: () => api.get<Page<Token>>('/api/tokens', { page: 1, page_size: TOKEN_OPTIONS, user_id: userId }),
    staleTime: 60_000,
  });
  const options = (tokens.data?.items ?? []).map((t) => ({ value: String(t.id), label: `${t.name} · ${t.key_hint}` }));
  if (selected !== null && !options.some((o) => o.value === String(selected)))
    options.push({ value: String(selected), label: `#${selected}` });
  return options;
}
