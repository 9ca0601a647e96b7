/** Making or changing a channel in a drawer: the type-aware form, saved with the API's objections put on their fields. */
import { Alert, Box, Button, Divider, Drawer, Group, Skeleton, Stack, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client.ts';
import type { Channel, ProviderType } from '../../api/types.ts';
import { errorText, notifySuccess } from '../../ui/notify.ts';
import { QueryError } from '../../ui/page.tsx';
import { ConnectionFields } from './connection-fields.tsx';
import {
  bodyOf,
  type ChannelFormValues,
  emptyValues,
  fieldOfParam,
  messageForField,
  validation,
  valuesOf,
} from './form-values.ts';
import { ModelsFields } from './models-fields.tsx';
import { CHANNELS_KEY, channelApi, useProviders } from './queries.ts';
import { LimitFields, RequestFields, RoutingFields } from './routing-fields.tsx';

/** A column that takes the drawer's remaining height, so only the part inside that should scroll does. */
const FILL = { flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' } as const;

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap="sm">
      <Divider labelPosition="left" label={<Title order={6}>{title}</Title>} />
      {children}
    </Stack>
  );
}

function ChannelForm({
  channel,
  providers,
  onDone,
}: {
  channel: Channel | null;
  providers: ProviderType[];
  onDone: () => void;
}) {
  const { t } = useTranslation(['channels', 'common']);
  const queryClient = useQueryClient();
  const creating = channel === null;
  // Every type setting any provider takes, so switching types never meets an unset field.
  const settingNames = [...new Set(providers.flatMap((p) => p.settings))];
  const providerOf = (type: string) => providers.find((p) => p.type === type);
  const form = useForm<ChannelFormValues>({
    initialValues: channel ? valuesOf(channel, settingNames) : emptyValues(settingNames),
    validate: validation(t, creating, providerOf),
  });
  const provider = providerOf(form.values.type);
  /** The field an API error is about, shown there; other errors go above the buttons. */
  const fieldOfError = (error: unknown): string | null => {
    if (!(error instanceof ApiError)) return null;
    // A taken name is a conflict without a param; it is still the name field's problem.
    return error.status === 409 ? 'name' : fieldOfParam(error.param, settingNames);
  };

  const save = useMutation({
    mutationFn: (values: ChannelFormValues) => {
      const body = bodyOf(values, provider, creating);
      return channel ? channelApi.update(channel.id, body) : channelApi.create(body);
    },
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: CHANNELS_KEY });
      notifySuccess(t(creating ? 'done.created' : 'done.saved', { name: saved.name }));
      onDone();
    },
    onError: (error) => {
      const field = fieldOfError(error);
      if (!field || !(error instanceof ApiError)) return;
      form.setFieldError(field, error.param ? messageForField(error.message, error.param) : error.message);
      form.getInputNode(field)?.focus();
    },
  });

  return (
    <form onSubmit={form.onSubmit((values) => save.mutate(values))} noValidate style={FILL}>
      {/* The fields scroll; the buttons stay below them, never over a field. */}
      <Stack gap="lg" px="md" pb="md" style={{ flex: 1, overflowY: 'auto' }}>
        <Section title={t('section.connection')}>
          <ConnectionFields form={form} provider={provider} providers={providers} channel={channel} />
        </Section>
        <Section title={t('section.models')}>
          <ModelsFields form={form} provider={provider} channel={channel} />
        </Section>
        <Section title={t('section.routing')}>
          <RoutingFields form={form} creating={creating} />
        </Section>
        <Section title={t('section.limits')}>
          <LimitFields form={form} />
        </Section>
        <Section title={t('section.requests')}>
          <RequestFields form={form} />
        </Section>
      </Stack>
      <Stack gap="xs" px="md" py="sm" style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
        {save.isError && !fieldOfError(save.error) ? (
          <Alert color="red" variant="light" py="xs" data-testid="save-error">
            {errorText(save.error)}
          </Alert>
        ) : null}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onDone}>
            {t('common:action.cancel')}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {creating ? t('form.create') : t('common:action.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** What the drawer edits: a channel, or null for a new one; `key` changes on each opening so the form starts afresh. */
export interface DrawerTarget {
  channel: Channel | null;
  key: number;
}

export function ChannelDrawer({
  opened,
  target,
  onClose,
}: {
  opened: boolean;
  target: DrawerTarget;
  onClose: () => void;
}) {
  const { channel } = target;
  const { t } = useTranslation(['channels', 'common']);
  const providers = useProviders();
  return (
    <Drawer
      opened={opened}
      onClose={onClose}
      position="right"
      size="lg"
      title={channel ? t('form.editTitle', { name: channel.name }) : t('form.createTitle')}
      closeButtonProps={{ 'aria-label': t('common:action.close') }}
      styles={{
        title: { fontWeight: 700, fontSize: 'var(--mantine-font-size-lg)' },
        content: { display: 'flex', flexDirection: 'column' },
        body: { ...FILL, padding: 0 },
      }}
    >
      {providers.isError ? (
        <Box px="md">
          <QueryError error={providers.error} onRetry={() => void providers.refetch()} />
        </Box>
      ) : null}
      {providers.isPending ? (
        <Stack gap="md" px="md">
          {['a', 'b', 'c', 'd', 'e'].map((k) => (
            <Skeleton key={k} h={56} />
          ))}
        </Stack>
      ) : (
        <ChannelForm key={target.key} channel={channel} providers={providers.data ?? []} onDone={onClose} />
      )}
    </Drawer>
  );
}
