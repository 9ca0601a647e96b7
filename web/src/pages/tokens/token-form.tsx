/** The form that makes a key or changes one: name, quota, expiry, models, addresses and rate limits. */
import { Button, Fieldset, Group, NumberInput, SimpleGrid, Stack, TagsInput, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { NewToken, Token } from '../../api/types.ts';
import { atLeast, useUser } from '../../auth.tsx';
import { DateTimeInput } from '../../ui/date-time-input.tsx';
import { notifyError, notifySuccess } from '../../ui/notify.ts';
import { QuotaInput } from '../../ui/usd-input.tsx';
import { UserSelect } from '../../ui/user-select.tsx';
import { ModelsInput } from './models-input.tsx';
import { initialValues, type TokenFormValues, tokenBody, tokenRules } from './token-form-values.ts';

const DAY_MS = 86_400_000;
const EXPIRY_PRESETS = [
  { label: 'form.plusDay', ms: DAY_MS },
  { label: 'form.plus30Days', ms: 30 * DAY_MS },
  { label: 'form.plusYear', ms: 365 * DAY_MS },
] as const;

interface TokenFormProps {
  /** The key to change; null to make one. */
  token: Token | null;
  onCancel: () => void;
  onSaved: () => void;
  onCreated: (token: NewToken) => void;
}

export function TokenForm({ token, onCancel, onSaved, onCreated }: TokenFormProps) {
  const { t } = useTranslation(['tokens', 'common']);
  const self = useUser();
  const queryClient = useQueryClient();
  const readOnly = token?.source === 'config';
  const form = useForm<TokenFormValues>({
    initialValues: initialValues(token, self.id),
    validate: tokenRules(t, token),
    validateInputOnChange: ['allowIps'],
  });
  const save = useMutation({
    /** The new key when one was made; null after a change. */
    mutationFn: async (values: TokenFormValues): Promise<NewToken | null> => {
      if (token) {
        await api.put<Token>(
          `/api/tokens/${token.id}`,
          tokenBody(values, (field) => form.isDirty(field)),
        );
        return null;
      }
      const body = { ...tokenBody(values, () => true), ...(values.owner === self.id ? {} : { user_id: values.owner }) };
      return api.post<NewToken>('/api/tokens', body);
    },
    onSuccess: (created) => {
      void queryClient.invalidateQueries({ queryKey: ['tokens'] });
      if (created) onCreated(created);
      else {
        notifySuccess(t('common:state.saved'));
        onSaved();
      }
    },
    onError: notifyError,
  });
  const values = form.getValues();

  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
      <Fieldset variant="unstyled" disabled={readOnly}>
        <Stack gap="md">
          {!token && atLeast(self, 'admin') ? (
            <UserSelect
              label={t('form.owner')}
              description={t('form.ownerHint')}
              allowDeselect={false}
              value={values.owner}
              onChange={(id) => id !== null && form.setFieldValue('owner', id)}
            />
          ) : null}
          <TextInput
            label={t('form.name')}
            placeholder={t('form.namePlaceholder')}
            required
            data-autofocus
            {...form.getInputProps('name')}
          />
          <QuotaInput
            label={token ? t('form.remaining') : t('form.quota')}
            description={t('form.quotaHint')}
            value={values.quota}
            onChange={(quota) => form.setFieldValue('quota', quota)}
            error={form.errors.quota}
          />
          <Stack gap={6}>
            <DateTimeInput
              label={t('form.expires')}
              description={t('form.expiresHint')}
              value={values.expiresAt}
              onChange={(ms) => form.setFieldValue('expiresAt', ms)}
              error={form.errors.expiresAt}
            />
            <Group gap="xs">
              <Button size="compact-sm" variant="default" onClick={() => form.setFieldValue('expiresAt', null)}>
                {t('form.never')}
              </Button>
              {EXPIRY_PRESETS.map((preset) => (
                <Button
                  key={preset.label}
                  size="compact-sm"
                  variant="default"
                  onClick={() => form.setFieldValue('expiresAt', Date.now() + preset.ms)}
                >
                  {t(preset.label)}
                </Button>
              ))}
            </Group>
          </Stack>
          <ModelsInput
            label={t('form.models')}
            description={t('form.modelsHint')}
            placeholder={t('form.modelsPlaceholder')}
            value={values.models}
            onChange={(models) => form.setFieldValue('models', models)}
            error={form.errors.models}
          />
          <TagsInput
            label={t('form.ips')}
            description={t('form.ipsHint')}
            placeholder={t('form.ipsPlaceholder')}
            clearable
            splitChars={[',', ' ']}
            {...form.getInputProps('allowIps')}
          />
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <NumberInput
              label={t('form.rpm')}
              description={t('form.limitHint')}
              min={1}
              allowDecimal={false}
              thousandSeparator=","
              {...form.getInputProps('rpm')}
            />
            <NumberInput
              label={t('form.tpm')}
              description={t('form.limitHint')}
              min={1}
              allowDecimal={false}
              thousandSeparator=","
              {...form.getInputProps('tpm')}
            />
          </SimpleGrid>
        </Stack>
      </Fieldset>
      {readOnly ? null : (
        <Group justify="flex-end" mt="xl">
          <Button variant="default" onClick={onCancel}>
            {t('common:action.cancel')}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {token ? t('common:action.save') : t('form.submitCreate')}
          </Button>
        </Group>
      )}
    </form>
  );
}
