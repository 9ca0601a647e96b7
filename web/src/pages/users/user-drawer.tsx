/** The drawer a user is made or changed in; for an existing user, their top-up history below the form. */
import { Divider, Drawer, Stack, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { User } from '../../api/types.ts';
import { TopupHistory } from '../account/topup-history.tsx';
import { UserForm } from './user-form.tsx';

/** `user`: null makes a new user; undefined is closed. */
export function UserDrawer({ user, onClose }: { user: User | null | undefined; onClose: () => void }) {
  const { t } = useTranslation(['users', 'common']);
  return (
    <Drawer
      opened={user !== undefined}
      onClose={onClose}
      position="right"
      size="lg"
      title={<Title order={4}>{user ? t('form.editTitle', { name: user.username }) : t('form.createTitle')}</Title>}
    >
      {user === undefined ? null : (
        <Stack gap="lg">
          {/* Keyed by user: the form starts from the chosen user's values each time it opens. */}
          <UserForm key={user?.id ?? 'new'} user={user} onDone={onClose} />
          {user ? (
            <Stack gap="sm">
              <Divider />
              <Title order={5}>{t('history')}</Title>
              <TopupHistory userId={user.id} />
            </Stack>
          ) : null}
        </Stack>
      )}
    </Drawer>
  );
}
