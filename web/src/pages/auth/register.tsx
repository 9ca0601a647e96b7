/** Self-registration, when an administrator turned it on. */
import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api/client.ts';
import type { User } from '../../api/types.ts';
import { SELF_KEY } from '../../auth.tsx';
import { errorText } from '../../ui/notify.ts';
import { AuthCard } from './auth-card.tsx';
import { NewPasswordFields, newPasswordRules } from './change-password.tsx';

export default function RegisterPage() {
  const { t } = useTranslation('auth');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { username: '', password: '', repeat: '' },
    validate: {
      username: (v) => (/^[\w.@-]{3,64}$/.test(v) ? null : t('register.usernameHint')),
      ...newPasswordRules(t),
    },
  });
  const register = useMutation({
    mutationFn: (v: typeof form.values) =>
      api.post<User>('/api/auth/register', { username: v.username, password: v.password }),
    onSuccess: (user) => {
      queryClient.setQueryData(SELF_KEY, user);
      void navigate('/', { replace: true });
    },
  });
  return (
    <AuthCard title={t('register.title')}>
      <form onSubmit={form.onSubmit((values) => register.mutate(values))}>
        <Stack gap="sm">
          <TextInput
            label={t('login.username')}
            description={t('register.usernameHint')}
            autoComplete="username"
            required
            {...form.getInputProps('username')}
          />
          <NewPasswordFields inputProps={(field) => form.getInputProps(field)} />
          {register.isError ? (
            <Alert color="red" variant="light" py="xs">
              {errorText(register.error)}
            </Alert>
          ) : null}
          <Button type="submit" loading={register.isPending} fullWidth mt="xs">
            {t('register.submit')}
          </Button>
        </Stack>
      </form>
      <Text size="sm" ta="center">
        {t('register.haveAccount')}{' '}
        <Anchor component={Link} to="/login">
          {t('register.login')}
        </Anchor>
      </Text>
    </AuthCard>
  );
}
