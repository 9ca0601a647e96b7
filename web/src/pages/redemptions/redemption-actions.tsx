/** A code's menu: disable or enable it again (while unused), delete it. */
import { ActionIcon, Menu } from '@mantine/core';
import { IconDots, IconPlayerPause, IconPlayerPlay, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Redemption } from '../../api/types.ts';
import { confirmDelete } from '../../ui/confirm.ts';
import { notifyError, notifySuccess } from '../../ui/notify.ts';

export function RedemptionActions({ redemption }: { redemption: Redemption }) {
  const { t } = useTranslation(['redemptions', 'common']);
  const queryClient = useQueryClient();
  const done = (message: string) => {
    notifySuccess(message);
    void queryClient.invalidateQueries({ queryKey: ['redemptions'] });
  };
  const setStatus = useMutation({
    mutationFn: (status: 'unused' | 'disabled') => api.put(`/api/redemptions/${redemption.id}`, { status }),
    onSuccess: (_, status) => done(t(status === 'disabled' ? 'disabledNow' : 'enabledNow')),
    onError: notifyError,
  });
  const remove = useMutation({
    mutationFn: () => api.delete(`/api/redemptions/${redemption.id}`),
    onSuccess: () => done(t('common:state.deleted')),
    onError: notifyError,
  });
  return (
    <Menu position="bottom-end" withinPortal shadow="md">
      <Menu.Target>
        <ActionIcon
          variant="subtle"
          color="gray"
          aria-label={t('menu', { id: redemption.id })}
          loading={setStatus.isPending || remove.isPending}
        >
          <IconDots size={18} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        {redemption.status === 'disabled' ? (
          <Menu.Item leftSection={<IconPlayerPlay size={16} />} onClick={() => setStatus.mutate('unused')}>
            {t('common:action.enable')}
          </Menu.Item>
        ) : (
          <Menu.Item
            leftSection={<IconPlayerPause size={16} />}
            disabled={redemption.status === 'used'}
            onClick={() => setStatus.mutate('disabled')}
          >
            {t('common:action.disable')}
          </Menu.Item>
        )}
        <Menu.Item
          color="red"
          leftSection={<IconTrash size={16} />}
          onClick={() => confirmDelete(`${redemption.name} #${redemption.id}`, () => remove.mutate())}
        >
          {t('common:action.delete')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
