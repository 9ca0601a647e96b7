/** The user groups with their ratios and member counts (admins read them; the users page picks from them). */
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Group } from '../../api/types.ts';

export function useGroups() {
  return useQuery({ queryKey: ['groups'], queryFn: () => api.get<Group[]>('/api/groups') });
}
