/** Adding to a user's balance, with a note that goes into their top-up history. */
import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { User } from '../../api/types.ts';
import { usd } from '../../ui/format.ts';
import { notifyError, notifySuccess } from '../../ui/notify.ts';
import { amountOf, UsdInput } from '../../ui/usd-input.tsx';

export function TopupModal({ user, onClose }: { user: User | null; onClose: () => void }) {
  const { t } = useTranslation(['users', 'common']);
  return (
    <Modal
      opened={user !== null}
      onClose={onClose}
      title={user ? t('topup.title', { name: user.username }) : ''}
      centered
    >
      {/* Mounted per user: the form starts empty each time. */}
      {user ? <TopupForm key={user.id} user={user} onDone={onClose} /> : null}
    </Modal>
  );
}

function TopupForm({ user, onDone }: { user: User; onDone: () => void }) {
  const { t } = useTranslation(['users', 'common']);
  const queryClient = useQueryClient();
  const form = useForm<{ amount: number | string; reference: string }>({
    initialValues: { amount: '', reference: '' },
    validate: { amount: (v) => ((amountOf(v) ?? 0) > 0 ? null : t('topup.amountInvalid')) },
  });
  const topup = useMutation({
    mutationFn: (v: typeof form.values) =>
      api.post<{ quota_usd: number | null }>(`/api/users/${user.id}/topup`, {
        quota_usd: amountOf(v.amount),
        ...(v.reference.trim() ? { reference: v.reference.trim() } : {}),
      }),
    onSuccess: (result, v) => {
      notifySuccess(t('topup.done', { amount: usd(amountOf(v.amount)), balance: usd(result.quota_usd) }));
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      void queryClient.invalidateQueries({ queryKey: ['topups'] });
      onDone();
    },
    onError: notifyError,
  });
  if (user.quota_usd === null)
    return (
      <Alert color="blue" variant="light">
        {t('topup.unlimited')}
      </Alert>
    );
  return (
    <form onSubmit={form.onSubmit((v) => topup.mutate(v))}>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t('topup.current', { amount: usd(user.quota_usd) })}
        </Text>
        <UsdInput label={t('topup.amount')} required data-autofocus {...form.getInputProps('amount')} />
        <TextInput
          label={t('topup.reference')}
          description={t('topup.referenceHint')}
          maxLength={191}
          {...form.getInputProps('reference')}
        />
        <Group justify="flex-end" mt="xs">
          <Button variant="default" onClick={onDone}>
            {t('common:action.cancel')}
          </Button>
          <Button type="submit" loading={topup.isPending}>
            {t('topup.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
