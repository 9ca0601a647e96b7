/** Changing one's password: the page a forced change lands on, and the form the account page reuses. */
import { Alert, Button, PasswordInput, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router';
import { api } from '../../api/client.ts';
import type { User } from '../../api/types.ts';
import { SELF_KEY, useSelf } from '../../auth.tsx';
import { errorText, notifySuccess } from '../../ui/notify.ts';
import { AuthCard } from './auth-card.tsx';

/** The checks a new password and its repetition get before they are sent (the API checks the length too). */
export function newPasswordRules(t: TFunction<'auth'>) {
  return {
    password: (v: string) => (v.length >= 8 ? null : t('password.tooShort')),
    repeat: (v: string, values: { password: string }) => (v === values.password ? null : t('password.mismatch')),
  };
}

/** The new password and its repetition (checked by `newPasswordRules`). */
export function NewPasswordFields({ inputProps }: { inputProps: (field: 'password' | 'repeat') => object }) {
  const { t } = useTranslation('auth');
  return (
    <>
      <PasswordInput label={t('password.next')} autoComplete="new-password" required {...inputProps('password')} />
      <PasswordInput label={t('password.repeat')} autoComplete="new-password" required {...inputProps('repeat')} />
    </>
  );
}

export function ChangePasswordForm({ onChanged }: { onChanged?: () => void }) {
  const { t } = useTranslation('auth');
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { current: '', password: '', repeat: '' },
    validate: newPasswordRules(t),
  });
  const change = useMutation({
    mutationFn: (v: typeof form.values) =>
      api.put<User>('/api/auth/self', { current_password: v.current, password: v.password }),
    onSuccess: (user) => {
      queryClient.setQueryData(SELF_KEY, user);
      form.reset();
      notifySuccess(t('password.changed'));
      onChanged?.();
    },
  });
  return (
    <form onSubmit={form.onSubmit((values) => change.mutate(values))}>
      <Stack gap="sm">
        <PasswordInput
          label={t('password.current')}
          autoComplete="current-password"
          required
          {...form.getInputProps('current')}
        />
        <NewPasswordFields inputProps={(field) => form.getInputProps(field)} />
        {change.isError ? (
          <Alert color="red" variant="light" py="xs">
            {errorText(change.error)}
          </Alert>
        ) : null}
        <Button type="submit" loading={change.isPending} mt="xs">
          {t('password.submit')}
        </Button>
      </Stack>
    </form>
  );
}

export default function ChangePasswordPage() {
  const { t } = useTranslation('auth');
  const self = useSelf();
  const navigate = useNavigate();
  if (self.data && !self.data.must_change_password) return <Navigate to="/" replace />;
  return (
    <AuthCard title={t('password.title')} subtitle={t('password.forced')}>
      <ChangePasswordForm onChanged={() => void navigate('/', { replace: true })} />
    </AuthCard>
  );
}
