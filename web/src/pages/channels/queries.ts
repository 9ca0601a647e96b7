/** The channels page's data: channels, provider types and groups from the API, and the calls that change a channel. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import type { Channel, ChannelTestResult, Group, ProviderType } from '../../api/types.ts';

export const CHANNELS_KEY = ['channels'] as const;

export function useChannels() {
  // Health and key cool-downs move on their own: refresh while the page is open.
  return useQuery({
    queryKey: CHANNELS_KEY,
    queryFn: () => api.get<Channel[]>('/api/channels'),
    refetchInterval: 30_000,
  });
}

export function useProviders() {
  return useQuery({
    queryKey: ['providers'],
    queryFn: () => api.get<ProviderType[]>('/api/providers'),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useGroups() {
  return useQuery({ queryKey: ['groups'], queryFn: () => api.get<Group[]>('/api/groups'), staleTime: 60_000 });
}

const channelPath = (id: string, action = '') => `/api/channels/${encodeURIComponent(id)}${action}`;

export const channelApi = {
  create: (body: object) => api.post<Channel>('/api/channels', body),
  update: (id: string, body: object) => api.put<Channel>(channelPath(id), body),
  remove: (id: string) => api.delete<{ ok: true }>(channelPath(id)),
  setEnabled: (id: string, enabled: boolean) => api.post<Channel>(channelPath(id, enabled ? '/enable' : '/disable')),
  test: (id: string, model?: string) => api.post<ChannelTestResult>(channelPath(id, '/test'), model ? { model } : {}),
  upstreamModels: (body: object) => api.post<{ models: string[] }>('/api/channels/upstream-models', body),
};
