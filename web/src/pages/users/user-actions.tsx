/** A user row's menu: edit, top up, enable/disable, view their usage, delete. */
import { ActionIcon, Menu } from '@mantine/core';
import {
  IconCoin,
  IconDots,
  IconEdit,
  IconListDetails,
  IconPlayerPause,
  IconPlayerPlay,
  IconTrash,
} from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../../api/client.ts';
import type { User } from '../../api/types.ts';
import { useUser } from '../../auth.tsx';
import { confirmDelete } from '../../ui/confirm.ts';
import { notifyError, notifySuccess } from '../../ui/notify.ts';
import { canManage } from './manageable.ts';

export function UserActions({
  user,
  onEdit,
  onTopup,
}: {
  user: User;
  onEdit: (user: User) => void;
  onTopup: (user: User) => void;
}) {
  const { t } = useTranslation(['users', 'common']);
  const self = useUser();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const done = (message: string) => {
    notifySuccess(message);
    void queryClient.invalidateQueries({ queryKey: ['users'] });
  };
  const setStatus = useMutation({
    mutationFn: (status: User['status']) => api.put<User>(`/api/users/${user.id}`, { status }),
    onSuccess: (changed) =>
      done(t(changed.status === 'enabled' ? 'enabledNow' : 'disabledNow', { name: changed.username })),
    onError: notifyError,
  });
  const remove = useMutation({
    mutationFn: () => api.delete(`/api/users/${user.id}`),
    onSuccess: () => done(t('common:state.deleted')),
    onError: notifyError,
  });
  const manageable = canManage(self, user);
  const isRoot = user.role === 'root';
  const name = user.username;
  return (
    <Menu position="bottom-end" withinPortal shadow="md">
      <Menu.Target>
        <ActionIcon
          variant="subtle"
          color="gray"
          aria-label={t('action.menu', { name })}
          loading={setStatus.isPending || remove.isPending}
        >
          <IconDots size={18} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        {manageable ? null : <Menu.Label>{t('notManageable')}</Menu.Label>}
        <Menu.Item leftSection={<IconEdit size={16} />} disabled={!manageable} onClick={() => onEdit(user)}>
          {t('common:action.edit')}
        </Menu.Item>
        <Menu.Item leftSection={<IconCoin size={16} />} disabled={!manageable} onClick={() => onTopup(user)}>
          {t('action.topup')}
        </Menu.Item>
        {user.status === 'enabled' ? (
          <Menu.Item
            leftSection={<IconPlayerPause size={16} />}
            disabled={!manageable || isRoot}
            onClick={() => setStatus.mutate('disabled')}
          >
            {t('common:action.disable')}
          </Menu.Item>
        ) : (
          <Menu.Item
            leftSection={<IconPlayerPlay size={16} />}
            disabled={!manageable}
            onClick={() => setStatus.mutate('enabled')}
          >
            {t('common:action.enable')}
          </Menu.Item>
        )}
        <Menu.Item
          leftSection={<IconListDetails size={16} />}
          onClick={() => void navigate(`/logs?user_id=${user.id}`)}
        >
          {t('action.usage')}
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item
          color="red"
          leftSection={<IconTrash size={16} />}
          disabled={!manageable || isRoot}
          onClick={() => confirmDelete(name, () => remove.mutate())}
        >
          {t('common:action.delete')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
