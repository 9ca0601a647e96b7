/** Making a user or changing one: names, password, role, group, balance and status. */
import { Button, Group, PasswordInput, Select, Stack, Switch, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Role, User } from '../../api/types.ts';
import { SELF_KEY, useUser } from '../../auth.tsx';
import { notifyError, notifySuccess } from '../../ui/notify.ts';
import { amountOf, QuotaInput, type QuotaValue } from '../../ui/usd-input.tsx';
import { useGroups } from '../groups/use-groups.ts';

interface UserFormValues {
  username: string;
  display_name: string;
  email: string;
  password: string;
  role: User['role'];
  group: string;
  quota: QuotaValue;
  enabled: boolean;
  must_change_password: boolean;
}

const ASSIGNABLE_ROLES: Role[] = ['user', 'admin'];
const ROOT_ONLY: Role[] = ['root'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function initialValues(user: User | null): UserFormValues {
  return {
    username: user?.username ?? '',
    display_name: user?.display_name ?? '',
    email: user?.email ?? '',
    password: '',
    role: user?.role ?? 'user',
    group: user?.group ?? 'default',
    // A new user's empty balance means the default balance for new users.
    quota: user ? user.quota_usd : '',
    enabled: user ? user.status === 'enabled' : true,
    must_change_password: user?.must_change_password ?? false,
  };
}

/** What the API gets: only what was set, and a balance only when it was edited (it keeps changing with usage). */
function bodyOf(values: UserFormValues, user: User | null, form: { isDirty: (path: string) => boolean }) {
  const quota = values.quota === null ? null : amountOf(values.quota);
  const email = values.email.trim() || null;
  if (!user)
    return {
      username: values.username.trim(),
      password: values.password,
      ...(values.display_name.trim() ? { display_name: values.display_name.trim() } : {}),
      ...(email ? { email } : {}),
      role: values.role,
      group: values.group,
      ...(quota === undefined ? {} : { quota_usd: quota }),
      must_change_password: values.must_change_password,
    };
  return {
    display_name: values.display_name.trim() || user.username,
    email,
    ...(values.password ? { password: values.password } : {}),
    ...(values.role !== user.role ? { role: values.role } : {}),
    group: values.group,
    ...(form.isDirty('quota') && quota !== undefined ? { quota_usd: quota } : {}),
    ...(user.role === 'root' ? {} : { status: values.enabled ? 'enabled' : 'disabled' }),
    must_change_password: values.must_change_password,
  };
}

export function UserForm({ user, onDone }: { user: User | null; onDone: () => void }) {
  const { t } = useTranslation(['users', 'common']);
  const self = useUser();
  const queryClient = useQueryClient();
  const groups = useGroups();
  const isRoot = user?.role === 'root';
  const form = useForm<UserFormValues>({
    initialValues: initialValues(user),
    validate: {
      username: (v) => (user || /^[\w.@-]{1,64}$/.test(v.trim()) ? null : t('form.usernameInvalid')),
      email: (v) => (!v.trim() || EMAIL.test(v.trim()) ? null : t('form.emailInvalid')),
      password: (v) => ((user && !v) || v.length >= 8 ? null : t('form.passwordTooShort')),
      quota: (v) => (user && v === '' ? t('form.quotaRequired') : null),
    },
  });
  const save = useMutation({
    mutationFn: (values: UserFormValues) => {
      const body = bodyOf(values, user, form);
      return user ? api.put<User>(`/api/users/${user.id}`, body) : api.post<User>('/api/users', body);
    },
    onSuccess: (saved) => {
      notifySuccess(t(user ? 'form.saved' : 'form.created'));
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      void queryClient.invalidateQueries({ queryKey: ['groups'] });
      if (saved.id === self.id) void queryClient.invalidateQueries({ queryKey: SELF_KEY });
      onDone();
    },
    onError: notifyError,
  });
  const roles = (isRoot ? ROOT_ONLY : ASSIGNABLE_ROLES).map((role) => ({ value: role, label: t(`role.${role}`) }));
  const groupNames = groups.data?.map((g) => ({ value: g.name, label: `${g.name} (×${g.ratio})` })) ?? [
    { value: form.values.group, label: form.values.group },
  ];
  return (
    <form onSubmit={form.onSubmit((values) => save.mutate(values))}>
      <Stack gap="sm">
        <TextInput
          label={t('form.username')}
          description={user ? undefined : t('form.usernameHint')}
          required={!user}
          disabled={Boolean(user)}
          autoComplete="off"
          data-autofocus
          {...form.getInputProps('username')}
        />
        <TextInput
          label={t('form.displayName')}
          placeholder={t('form.displayNameHint')}
          maxLength={191}
          {...form.getInputProps('display_name')}
        />
        <TextInput label={t('form.email')} type="email" maxLength={191} {...form.getInputProps('email')} />
        <PasswordInput
          label={user ? t('form.newPassword') : t('form.password')}
          description={user ? t('form.newPasswordHint') : undefined}
          required={!user}
          autoComplete="new-password"
          {...form.getInputProps('password')}
        />
        <Select
          label={t('form.role')}
          description={self.role === 'root' ? undefined : t('form.roleRootOnly')}
          data={roles}
          disabled={self.role !== 'root' || isRoot}
          allowDeselect={false}
          {...form.getInputProps('role')}
        />
        <Select
          label={t('form.group')}
          description={t('form.groupHint')}
          data={groupNames}
          allowDeselect={false}
          searchable
          {...form.getInputProps('group')}
        />
        <QuotaInput
          label={t('form.quota')}
          description={user ? t('form.quotaEditHint') : t('form.quotaCreateHint')}
          value={form.values.quota}
          onChange={(quota) => form.setFieldValue('quota', quota)}
          error={form.errors.quota}
        />
        {user ? (
          <Switch
            label={t('form.enabled')}
            description={isRoot ? t('form.rootProtected') : t('form.enabledHint')}
            disabled={isRoot}
            {...form.getInputProps('enabled', { type: 'checkbox' })}
          />
        ) : null}
        <Switch
          label={t('form.mustChange')}
          description={t('form.mustChangeHint')}
          {...form.getInputProps('must_change_password', { type: 'checkbox' })}
        />
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onDone}>
            {t('common:action.cancel')}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {user ? t('common:action.save') : t('common:action.create')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
