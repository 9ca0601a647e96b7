/** The caller's display name and email. */
import { Button, Group, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { User } from '../../api/types.ts';
import { SELF_KEY, useUser } from '../../auth.tsx';
import { notifyError, notifySuccess } from '../../ui/notify.ts';
import { Section } from './section.tsx';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function ProfileCard() {
  const { t } = useTranslation(['account', 'common']);
  const user = useUser();
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { display_name: user.display_name, email: user.email ?? '' },
    validate: { email: (v) => (!v.trim() || EMAIL.test(v.trim()) ? null : t('profile.emailInvalid')) },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      api.put<User>('/api/auth/self', {
        display_name: v.display_name.trim() || user.username,
        email: v.email.trim() || null,
      }),
    onSuccess: (saved) => {
      queryClient.setQueryData(SELF_KEY, saved);
      form.setValues({ display_name: saved.display_name, email: saved.email ?? '' });
      form.resetDirty({ display_name: saved.display_name, email: saved.email ?? '' });
      notifySuccess(t('profile.saved'));
    },
    onError: notifyError,
  });
  return (
    <Section title={t('profile.title')} testId="profile-card">
      <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
        <TextInput label={t('profile.username')} value={user.username} disabled mb="sm" />
        <TextInput
          label={t('profile.displayName')}
          maxLength={191}
          autoComplete="nickname"
          mb="sm"
          {...form.getInputProps('display_name')}
        />
        <TextInput
          label={t('profile.email')}
          type="email"
          maxLength={191}
          autoComplete="email"
          {...form.getInputProps('email')}
        />
        <Group justify="flex-end" mt="md">
          <Button type="submit" loading={save.isPending} disabled={!form.isDirty()}>
            {t('common:action.save')}
          </Button>
        </Group>
      </form>
    </Section>
  );
}
