/** Picking a user (admins only): a searchable list of the first users, and their names for showing a user id. */
import { Select, type SelectProps } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../api/client.ts';
import type { Page, User } from '../api/types.ts';

/** As many users as the API gives in one page: enough for a team's picker; beyond that, ids show as `#id`. */
const PICKER_SIZE = 100;

/** User names by id; `enabled` is false for callers who may not list users (then the map stays empty). */
export function useUserNames(enabled: boolean): Map<number, string> {
  const users = useQuery({
    queryKey: ['users', 'picker'],
    queryFn: () => api.get<Page<User>>('/api/users', { page_size: PICKER_SIZE }),
    enabled,
    staleTime: 60_000,
  });
  return useMemo(() => new Map((users.data?.items ?? []).map((u) => [u.id, u.username])), [users.data]);
}

export const userName = (names: Map<number, string>, id: number | null): string =>
  id === null ? '—' : (names.get(id) ?? `#${id}`);

type UserSelectProps = Omit<SelectProps, 'data' | 'value' | 'onChange'> & {
  value: number | null;
  onChange: (id: number | null) => void;
};

export function UserSelect({ value, onChange, ...props }: UserSelectProps) {
  const names = useUserNames(true);
  const data = [...names].map(([id, name]) => ({ value: String(id), label: name }));
  if (value !== null && !names.has(value)) data.push({ value: String(value), label: `#${value}` });
  return (
    <Select
      searchable
      data={data}
      value={value === null ? null : String(value)}
      onChange={(v) => onChange(v ? Number(v) : null)}
      {...props}
    />
  );
}
