/** The caller's access token for scripts: make one (shown once, replacing any other) or revoke it. */
import { Button, Code, Group, Text } from '@mantine/core';
import { IconCircleCheck, IconCircleDashed, IconKey, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { SELF_KEY, useUser } from '../../auth.tsx';
import { confirmAction } from '../../ui/confirm.ts';
import { notifyError, notifySuccess } from '../../ui/notify.ts';
import { SecretModal } from '../../ui/secret-modal.tsx';
import { Section } from './section.tsx';

export function AccessTokenCard() {
  const { t } = useTranslation('account');
  const user = useUser();
  const queryClient = useQueryClient();
  const [token, setToken] = useState('');
  const [shown, setShown] = useState(false);
  const refreshSelf = () => void queryClient.invalidateQueries({ queryKey: SELF_KEY });
  const create = useMutation({
    mutationFn: () => api.post<{ access_token: string }>('/api/auth/access-token'),
    onSuccess: (result) => {
      setToken(result.access_token);
      setShown(true);
      refreshSelf();
    },
    onError: notifyError,
  });
  const revoke = useMutation({
    mutationFn: () => api.delete('/api/auth/access-token'),
    onSuccess: () => {
      notifySuccess(t('accessToken.revoked'));
      refreshSelf();
    },
    onError: notifyError,
  });
  const exists = user.has_access_token;
  const makeToken = () =>
    exists
      ? confirmAction({
          message: t('accessToken.replaceConfirm'),
          confirmLabel: t('accessToken.replace'),
          onConfirm: () => create.mutate(),
        })
      : create.mutate();
  return (
    <Section title={t('accessToken.title')} testId="access-token-card">
      <Text size="sm" c="dimmed">
        {t('accessToken.hint')}
      </Text>
      <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        curl -H "Authorization: Bearer sya-…" {window.location.origin}/api/auth/self
      </Code>
      <Group justify="space-between" gap="sm">
        <Group gap={6} wrap="nowrap" data-testid="access-token-status">
          {exists ? <IconCircleCheck size={18} color="var(--mantine-color-teal-6)" /> : <IconCircleDashed size={18} />}
          <Text size="sm" c={exists ? 'teal' : 'dimmed'} fw={500}>
            {exists ? t('accessToken.exists') : t('accessToken.none')}
          </Text>
        </Group>
        <Group gap="xs">
          {exists ? (
            <Button
              variant="default"
              color="red"
              leftSection={<IconTrash size={16} />}
              loading={revoke.isPending}
              onClick={() =>
                confirmAction({
                  message: t('accessToken.revokeConfirm'),
                  confirmLabel: t('accessToken.revoke'),
                  onConfirm: () => revoke.mutate(),
                })
              }
            >
              {t('accessToken.revoke')}
            </Button>
          ) : null}
          <Button leftSection={<IconKey size={16} />} loading={create.isPending} onClick={makeToken}>
            {exists ? t('accessToken.replace') : t('accessToken.create')}
          </Button>
        </Group>
      </Group>
      <SecretModal
        opened={shown}
        onClose={() => setShown(false)}
        title={t('accessToken.shownTitle')}
        secrets={token ? [token] : []}
        warning={t('accessToken.shownWarning')}
      />
    </Section>
  );
}
