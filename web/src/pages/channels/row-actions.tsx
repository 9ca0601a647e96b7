/** A channel row's actions: test (any model it serves), edit, enable/disable and delete; config channels only test. */
import { ActionIcon, Group, Loader, Menu, Tooltip } from '@mantine/core';
import {
  IconDotsVertical,
  IconPencil,
  IconPlayerPause,
  IconPlayerPlay,
  IconPlugConnected,
  IconTrash,
} from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { Channel } from '../../api/types.ts';
import { confirmDelete } from '../../ui/confirm.ts';
import type { ChannelActions } from './actions.ts';
import { servedModels } from './settings.ts';

export function RowActions({
  channel,
  actions,
  onEdit,
}: {
  channel: Channel;
  actions: ChannelActions;
  onEdit: (channel: Channel) => void;
}) {
  const { t } = useTranslation(['channels', 'common']);
  const testing = actions.testing.has(channel.id);
  const models = servedModels(channel);
  return (
    <Group gap={2} wrap="nowrap" justify="flex-end">
      <Tooltip label={t('actions.test')}>
        <ActionIcon
          variant="subtle"
          aria-label={t('actions.testOf', { name: channel.name })}
          onClick={() => void actions.test(channel)}
          disabled={testing}
        >
          {testing ? <Loader size={14} /> : <IconPlugConnected size={18} />}
        </ActionIcon>
      </Tooltip>
      <Tooltip label={channel.read_only ? t('readOnlyHint') : t('common:action.edit')}>
        <ActionIcon
          variant="subtle"
          aria-label={t('actions.editOf', { name: channel.name })}
          // Looks disabled but still hovers, so the tooltip can say why.
          {...(channel.read_only ? { 'data-disabled': true, 'aria-disabled': true } : {})}
          onClick={() => (channel.read_only ? undefined : onEdit(channel))}
        >
          <IconPencil size={18} />
        </ActionIcon>
      </Tooltip>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <ActionIcon variant="subtle" color="gray" aria-label={t('actions.moreOf', { name: channel.name })}>
            <IconDotsVertical size={18} />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          {models.length > 1 ? (
            <Menu.Sub>
              <Menu.Sub.Target>
                <Menu.Sub.Item leftSection={<IconPlugConnected size={16} />}>{t('actions.testModel')}</Menu.Sub.Item>
              </Menu.Sub.Target>
              <Menu.Sub.Dropdown mah={320} style={{ overflowY: 'auto' }}>
                {models.map((model) => (
                  <Menu.Item key={model} onClick={() => void actions.test(channel, model)}>
                    {model}
                  </Menu.Item>
                ))}
              </Menu.Sub.Dropdown>
            </Menu.Sub>
          ) : null}
          {channel.read_only ? (
            <Menu.Label>{t('readOnlyHint')}</Menu.Label>
          ) : (
            <>
              {channel.status === 'enabled' ? (
                <Menu.Item
                  leftSection={<IconPlayerPause size={16} />}
                  onClick={() => void actions.setEnabled(channel, false)}
                >
                  {t('common:action.disable')}
                </Menu.Item>
              ) : (
                <Menu.Item
                  leftSection={<IconPlayerPlay size={16} />}
                  onClick={() => void actions.setEnabled(channel, true)}
                >
                  {t('common:action.enable')}
                </Menu.Item>
              )}
              <Menu.Divider />
              <Menu.Item
                color="red"
                leftSection={<IconTrash size={16} />}
                onClick={() => confirmDelete(channel.name, () => void actions.remove(channel))}
              >
                {t('common:action.delete')}
              </Menu.Item>
            </>
          )}
        </Menu.Dropdown>
      </Menu>
    </Group>
  );
}
