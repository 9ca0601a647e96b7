/** Above the list: search and filters, and the bulk actions for the selected channels. */
import { Button, CloseButton, Group, Paper, Select, Text, TextInput } from '@mantine/core';
import { IconPlayerPause, IconPlayerPlay, IconPlugConnected, IconSearch, IconTrash } from '@tabler/icons-react';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel } from '../../api/types.ts';
import { confirmDelete } from '../../ui/confirm.ts';
import type { BulkAction } from './actions.ts';
import { servedModels } from './settings.ts';

export interface ChannelFilter {
  search: string;
  status: Channel['status'] | null;
  type: string | null;
}

export const NO_FILTER: ChannelFilter = { search: '', status: null, type: null };

export function matches(channel: Channel, filter: ChannelFilter): boolean {
  const needle = filter.search.trim().toLowerCase();
  return (
    (!filter.status || channel.status === filter.status) &&
    (!filter.type || channel.type === filter.type) &&
    (!needle ||
      channel.name.toLowerCase().includes(needle) ||
      servedModels(channel).some((m) => m.toLowerCase().includes(needle)))
  );
}

const STATUSES: Channel['status'][] = ['enabled', 'disabled', 'auto_disabled'];

export function Filters({
  filter,
  types,
  onChange,
}: {
  filter: ChannelFilter;
  types: string[];
  onChange: (filter: ChannelFilter) => void;
}) {
  const { t } = useTranslation(['channels', 'common']);
  return (
    <Group gap="sm" mb="md" align="flex-end">
      <TextInput
        aria-label={t('filter.search')}
        placeholder={t('filter.search')}
        leftSection={<IconSearch size={16} />}
        rightSection={
          filter.search ? (
            <CloseButton
              size="sm"
              aria-label={t('common:action.reset')}
              onClick={() => onChange({ ...filter, search: '' })}
            />
          ) : null
        }
        value={filter.search}
        onChange={(e) => onChange({ ...filter, search: e.currentTarget.value })}
        w={{ base: '100%', xs: 280 }}
      />
      <Select
        aria-label={t('filter.status')}
        placeholder={t('filter.anyStatus')}
        data={STATUSES.map((s) => ({ value: s, label: t(`common:state.${s}`) }))}
        value={filter.status}
        onChange={(v) => onChange({ ...filter, status: STATUSES.find((s) => s === v) ?? null })}
        clearable
        w={{ base: 'calc(50% - 6px)', xs: 170 }}
      />
      <Select
        aria-label={t('filter.type')}
        placeholder={t('filter.anyType')}
        data={types}
        value={filter.type}
        onChange={(type) => onChange({ ...filter, type })}
        clearable
        searchable
        w={{ base: 'calc(50% - 6px)', xs: 170 }}
      />
    </Group>
  );
}

/** The actions for the selected channels; config-file ones are only tested, the rest skip them. */
export function BulkBar({
  selected,
  onRun,
  onClear,
}: {
  selected: Channel[];
  onRun: (action: BulkAction, channels: Channel[]) => Promise<void>;
  onClear: () => void;
}) {
  const { t } = useTranslation(['channels', 'common']);
  const [running, setRunning] = useState<BulkAction | null>(null);
  const editable = selected.filter((c) => !c.read_only);
  const run = async (action: BulkAction, channels: Channel[]) => {
    setRunning(action);
    try {
      await onRun(action, channels);
    } finally {
      setRunning(null);
    }
  };
  const button = (action: BulkAction, channels: Channel[], icon: ReactNode, color: string) => (
    <Button
      size="xs"
      variant="light"
      color={color}
      leftSection={icon}
      disabled={!channels.length || (running !== null && running !== action)}
      loading={running === action}
      onClick={() =>
        action === 'delete'
          ? confirmDelete(t('bulk.count', { count: channels.length }), () => void run(action, channels))
          : void run(action, channels)
      }
    >
      {t(`bulk.${action}`)} ({channels.length})
    </Button>
  );
  return (
    <Paper withBorder p="xs" mb="md" radius="md" data-testid="bulk-bar">
      <Group justify="space-between" gap="xs">
        <Group gap="xs">
          <Text size="sm" fw={500}>
            {t('bulk.selected', { count: selected.length })}
          </Text>
          {editable.length < selected.length ? (
            <Text size="xs" c="dimmed">
              {t('bulk.readOnlySkipped')}
            </Text>
          ) : null}
        </Group>
        <Group gap="xs">
          {button('test', selected, <IconPlugConnected size={14} />, 'indigo')}
          {button('enable', editable, <IconPlayerPlay size={14} />, 'teal')}
          {button('disable', editable, <IconPlayerPause size={14} />, 'gray')}
          {button('delete', editable, <IconTrash size={14} />, 'red')}
          <CloseButton aria-label={t('bulk.clear')} onClick={onClear} />
        </Group>
      </Group>
    </Paper>
  );
}
