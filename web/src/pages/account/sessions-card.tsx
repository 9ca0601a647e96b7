/** Ending every session of the caller's account, this one too, then back to the login page. */
import { Button } from '@mantine/core';
import { IconLogout } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../../api/client.ts';
import { SELF_KEY } from '../../auth.tsx';
import { confirmAction } from '../../ui/confirm.ts';
import { notifyError } from '../../ui/notify.ts';
import { Section } from './section.tsx';

export function SessionsCard() {
  const { t } = useTranslation('account');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const logoutAll = useMutation({
    mutationFn: () => api.post('/api/auth/logout-all'),
    onSuccess: () => {
      queryClient.clear();
      queryClient.setQueryData(SELF_KEY, null);
      void navigate('/login', { replace: true });
    },
    onError: notifyError,
  });
  return (
    <Section title={t('sessions.title')} description={t('sessions.hint')} testId="sessions-card">
      <Button
        variant="light"
        color="red"
        leftSection={<IconLogout size={16} />}
        loading={logoutAll.isPending}
        style={{ alignSelf: 'flex-start' }}
        onClick={() =>
          confirmAction({
            message: t('sessions.confirm'),
            confirmLabel: t('sessions.logoutAll'),
            onConfirm: () => logoutAll.mutate(),
          })
        }
      >
        {t('sessions.logoutAll')}
      </Button>
    </Section>
  );
}
