/** Redeeming a code: its amount goes onto the caller's balance, and the balance card shows the new figure. */
import { Alert, Button, Group, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconGift } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { SELF_KEY } from '../../auth.tsx';
import { usd } from '../../ui/format.ts';
import { errorText, notifySuccess } from '../../ui/notify.ts';
import { Section } from './section.tsx';

export function RedeemCard() {
  const { t } = useTranslation(['account', 'common']);
  const queryClient = useQueryClient();
  const form = useForm({ initialValues: { code: '' } });
  const redeem = useMutation({
    mutationFn: (code: string) =>
      api.post<{ added_usd: number; quota_usd: number | null }>('/api/redemptions/redeem', { code }),
    onSuccess: (result) => {
      notifySuccess(t('redeem.added', { amount: usd(result.added_usd) }));
      form.reset();
      void queryClient.invalidateQueries({ queryKey: SELF_KEY });
      void queryClient.invalidateQueries({ queryKey: ['topups'] });
    },
  });
  return (
    <Section title={t('redeem.title')} description={t('redeem.hint')} testId="redeem-card">
      <form onSubmit={form.onSubmit((v) => redeem.mutate(v.code.trim()))}>
        <Group gap="sm" align="flex-end" wrap="wrap">
          <TextInput
            label={t('redeem.code')}
            required
            maxLength={200}
            autoComplete="off"
            spellCheck={false}
            style={{ flex: '1 1 220px' }}
            {...form.getInputProps('code')}
          />
          <Button type="submit" loading={redeem.isPending} leftSection={<IconGift size={16} />}>
            {t('redeem.submit')}
          </Button>
        </Group>
      </form>
      {redeem.isSuccess ? (
        <Alert color="teal" variant="light" title={t('redeem.added', { amount: usd(redeem.data.added_usd) })}>
          {t('redeem.balanceNow', {
            balance: redeem.data.quota_usd === null ? t('common:state.unlimited') : usd(redeem.data.quota_usd),
          })}
        </Alert>
      ) : null}
      {redeem.isError ? (
        <Alert color="red" variant="light">
          {errorText(redeem.error)}
        </Alert>
      ) : null}
    </Section>
  );
}
