/** A key's row actions: open it, see its usage logs, enable or disable it, delete it (config-file keys: look only). */
import { ActionIcon, Menu } from '@mantine/core';
import { IconDots, IconListDetails, IconPencil, IconPlayerPause, IconPlayerPlay, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { Token } from '../../api/types.ts';
import { confirmDelete } from '../../ui/confirm.ts';
import { notifyError, notifySuccess } from '../../ui/notify.ts';

export function TokenMenu({ token, onOpen }: { token: Token; onOpen: (token: Token) => void }) {
  const { t } = useTranslation(['tokens', 'common']);
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['tokens'] });
  const setStatus = useMutation({
    mutationFn: (status: Token['status']) => api.put<Token>(`/api/tokens/${token.id}`, { status }),
    onSuccess: (updated) => {
      refresh();
      notifySuccess(t(updated.status === 'enabled' ? 'notice.enabled' : 'notice.disabled', { name: token.name }));
    },
    onError: notifyError,
  });
  const remove = useMutation({
    mutationFn: () => api.delete(`/api/tokens/${token.id}`),
    onSuccess: () => {
      refresh();
      notifySuccess(t('notice.deleted', { name: token.name }));
    },
    onError: notifyError,
  });
  const readOnly = token.source === 'config';
  const enabled = token.status === 'enabled';
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={t('menu', { name: token.name })}>
          <IconDots size={18} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item leftSection={<IconPencil size={16} />} onClick={() => onOpen(token)}>
          {readOnly ? t('common:action.details') : t('common:action.edit')}
        </Menu.Item>
        <Menu.Item component={Link} to={`/logs?token_id=${token.id}`} leftSection={<IconListDetails size={16} />}>
          {t('usageLogs')}
        </Menu.Item>
        {readOnly ? null : (
          <>
            <Menu.Item
              leftSection={enabled ? <IconPlayerPause size={16} /> : <IconPlayerPlay size={16} />}
              onClick={() => setStatus.mutate(enabled ? 'disabled' : 'enabled')}
            >
              {enabled ? t('common:action.disable') : t('common:action.enable')}
            </Menu.Item>
            <Menu.Divider />
            <Menu.Item
              color="red"
              leftSection={<IconTrash size={16} />}
              onClick={() => confirmDelete(token.name, () => remove.mutate())}
            >
              {t('common:action.delete')}
            </Menu.Item>
          </>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}
