/** The channel list as a table (scrolls sideways on phones), each row selectable for the bulk actions. */
import { Checkbox, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Channel } from '../../api/types.ts';
import { usd } from '../../ui/format.ts';
import type { ChannelActions } from './actions.ts';
import { HealthCell, KeysCell, ModelsCell, NameCell, StatusCell, TestCell } from './channel-cells.tsx';
import { RowActions } from './row-actions.tsx';
import { readSettings } from './settings.ts';

export function ChannelTable({
  channels,
  selected,
  onSelect,
  actions,
  onEdit,
}: {
  channels: Channel[];
  selected: ReadonlySet<string>;
  onSelect: (ids: string[], on: boolean) => void;
  actions: ChannelActions;
  onEdit: (channel: Channel) => void;
}) {
  const { t } = useTranslation('channels');
  const ids = channels.map((c) => c.id);
  const chosen = ids.filter((id) => selected.has(id)).length;
  return (
    <Table.ScrollContainer minWidth={980}>
      <Table verticalSpacing="sm" horizontalSpacing={8} highlightOnHover data-testid="channel-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={40}>
              <Checkbox
                aria-label={t('list.selectAll')}
                checked={chosen > 0 && chosen === ids.length}
                indeterminate={chosen > 0 && chosen < ids.length}
                onChange={(e) => onSelect(ids, e.currentTarget.checked)}
              />
            </Table.Th>
            <Table.Th>{t('list.name')}</Table.Th>
            <Table.Th>{t('list.status')}</Table.Th>
            <Table.Th>{t('list.health')}</Table.Th>
            <Table.Th>{t('list.keys')}</Table.Th>
            <Table.Th>{t('list.priority')}</Table.Th>
            <Table.Th>{t('list.models')}</Table.Th>
            <Table.Th>{t('list.lastTest')}</Table.Th>
            <Table.Th ta="right">{t('list.used')}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        {/* Cells keep to one line each; the container scrolls sideways where that is too wide. */}
        <Table.Tbody style={{ whiteSpace: 'nowrap' }}>
          {channels.map((channel) => {
            const settings = readSettings(channel.settings);
            return (
              <Table.Tr
                key={channel.id}
                data-testid={`channel-row-${channel.name}`}
                {...(selected.has(channel.id) ? { bg: 'var(--mantine-primary-color-light)' } : {})}
              >
                <Table.Td>
                  <Checkbox
                    aria-label={t('list.select', { name: channel.name })}
                    checked={selected.has(channel.id)}
                    onChange={(e) => onSelect([channel.id], e.currentTarget.checked)}
                  />
                </Table.Td>
                <Table.Td>
                  <NameCell channel={channel} />
                </Table.Td>
                <Table.Td>
                  <StatusCell channel={channel} />
                </Table.Td>
                <Table.Td>
                  <HealthCell name={channel.name} health={channel.health} />
                </Table.Td>
                <Table.Td>
                  <KeysCell channel={channel} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{settings.priority}</Text>
                  <Text size="xs" c="dimmed">
                    {t('list.weight', { weight: settings.weight })}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <ModelsCell channel={channel} />
                </Table.Td>
                <Table.Td>
                  <TestCell channel={channel} outcome={actions.outcomes[channel.id]} />
                </Table.Td>
                <Table.Td ta="right">
                  {/* The API does not meter config-file providers' spend here: 0 would read as "nothing spent". */}
                  <Text size="sm">{channel.read_only && !channel.used_usd ? '—' : usd(channel.used_usd)}</Text>
                </Table.Td>
                <Table.Td>
                  <RowActions channel={channel} actions={actions} onEdit={onEdit} />
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
