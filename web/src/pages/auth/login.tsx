/** Logging in: the session cookie is set by the API; then on to where the user was going. */
import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api/client.ts';
import type { GatewayStatus, User } from '../../api/types.ts';
import { SELF_KEY, useSelf } from '../../auth.tsx';
import { errorText } from '../../ui/notify.ts';
import { AuthCard } from './auth-card.tsx';

export function useGatewayStatus() {
  return useQuery({ queryKey: ['status'], queryFn: () => api.get<GatewayStatus>('/api/status'), staleTime: 60_000 });
}

/** Only paths inside the app: a crafted ?next= cannot send the user elsewhere. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export default function LoginPage() {
  const { t } = useTranslation('auth');
  const self = useSelf();
  const status = useGatewayStatus();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useForm({ initialValues: { username: '', password: '' } });
  const login = useMutation({
    mutationFn: (values: typeof form.values) => api.post<User>('/api/auth/login', values),
    onSuccess: (user) => {
      queryClient.setQueryData(SELF_KEY, user);
      void navigate(safeNext(params.get('next')), { replace: true });
    },
  });
  if (self.data) return <Navigate to={safeNext(params.get('next'))} replace />;
  return (
    <AuthCard title={t('login.title')} subtitle={t('login.subtitle')}>
      <form onSubmit={form.onSubmit((values) => login.mutate(values))}>
        <Stack gap="sm">
          <TextInput
            label={t('login.username')}
            autoComplete="username"
            required
            autoFocus
            {...form.getInputProps('username')}
          />
          <PasswordInput
            label={t('login.password')}
            autoComplete="current-password"
            required
            {...form.getInputProps('password')}
          />
          {login.isError ? (
            <Alert color="red" variant="light" py="xs">
              {errorText(login.error)}
            </Alert>
          ) : null}
          <Button type="submit" loading={login.isPending} fullWidth mt="xs">
            {t('login.submit')}
          </Button>
        </Stack>
      </form>
      <Text size="xs" c="dimmed">
        {t('login.firstStart')}
      </Text>
      {status.data?.registration_enabled ? (
        <Text size="sm" ta="center">
          {t('login.noAccount')}{' '}
          <Anchor component={Link} to="/register">
            {t('login.register')}
          </Anchor>
        </Text>
      ) : null}
    </AuthCard>
  );
}
