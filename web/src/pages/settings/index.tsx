/** Settings (root): the run-time options, with what each one does. */
import { Button, Group, Paper, Skeleton, Stack, Switch, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Options } from '../../api/types.ts';
import { notifyError, notifySuccess } from '../../ui/notify.ts';
import { PageHeader, QueryError } from '../../ui/page.tsx';
import { amountOf, UsdInput } from '../../ui/usd-input.tsx';

const OPTIONS_KEY = ['options'] as const;

interface SettingsValues {
  registration_enabled: boolean;
  new_user_quota_usd: number | string;
}

function SettingsForm({ options }: { options: Options }) {
  const { t } = useTranslation(['settings', 'common']);
  const queryClient = useQueryClient();
  const form = useForm<SettingsValues>({
    initialValues: options,
    validate: { new_user_quota_usd: (v) => ((amountOf(v) ?? -1) >= 0 ? null : t('accounts.invalid')) },
  });
  const save = useMutation({
    mutationFn: (v: SettingsValues) =>
      api.put<Options>('/api/options', {
        registration_enabled: v.registration_enabled,
        new_user_quota_usd: amountOf(v.new_user_quota_usd),
      }),
    onSuccess: (saved) => {
      queryClient.setQueryData(OPTIONS_KEY, saved);
      // The login page offers registration from /api/status.
      void queryClient.invalidateQueries({ queryKey: ['status'] });
      form.resetDirty(saved);
      notifySuccess(t('saved'));
    },
    onError: notifyError,
  });
  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
      <Paper withBorder radius="md" p={{ base: 'md', sm: 'lg' }} maw={720}>
        <Stack gap="lg">
          <Title order={4}>{t('accounts.title')}</Title>
          <Switch
            label={t('accounts.registration')}
            description={
              <>
                {t('accounts.registrationHint')}
                <br />
                {t('accounts.registrationOff')}
              </>
            }
            {...form.getInputProps('registration_enabled', { type: 'checkbox' })}
          />
          <UsdInput
            label={t('accounts.newUserQuota')}
            description={t('accounts.newUserQuotaHint')}
            {...form.getInputProps('new_user_quota_usd')}
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" disabled={!form.isDirty()} onClick={() => form.reset()}>
              {t('common:action.reset')}
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!form.isDirty()}>
              {t('common:action.save')}
            </Button>
          </Group>
        </Stack>
      </Paper>
    </form>
  );
}

export default function SettingsPage() {
  const { t } = useTranslation('settings');
  const options = useQuery({ queryKey: OPTIONS_KEY, queryFn: () => api.get<Options>('/api/options') });
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      {options.isPending ? (
        <Skeleton h={240} maw={720} />
      ) : options.isError ? (
        <QueryError error={options.error} onRetry={() => void options.refetch()} />
      ) : (
        <SettingsForm options={options.data} />
      )}
    </>
  );
}
