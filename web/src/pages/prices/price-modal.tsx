/** Setting a model's price (admins): one already listed, or a model the list does not have yet. */
import { Button, Group, Modal, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Price } from '../../api/types.ts';
import { notifyError, notifySuccess } from '../../ui/notify.ts';
import { amountOf, UsdInput } from '../../ui/usd-input.tsx';

/** `price`: null sets a new model's price; undefined is closed. */
export function PriceModal({ price, onClose }: { price: Price | null | undefined; onClose: () => void }) {
  const { t } = useTranslation('prices');
  return (
    <Modal
      opened={price !== undefined}
      onClose={onClose}
      title={price ? t('form.editTitle', { model: price.model }) : t('form.title')}
      centered
      size="lg"
    >
      {price === undefined ? null : <PriceForm key={price?.model ?? 'new'} price={price} onDone={onClose} />}
    </Modal>
  );
}

interface PriceFormValues {
  model: string;
  input: number | string;
  output: number | string;
  cached_input: number | string;
  cache_write: number | string;
}

function PriceForm({ price, onDone }: { price: Price | null; onDone: () => void }) {
  const { t } = useTranslation(['prices', 'common']);
  const queryClient = useQueryClient();
  const form = useForm<PriceFormValues>({
    initialValues: {
      model: price?.model ?? '',
      input: price?.input ?? '',
      output: price?.output ?? '',
      cached_input: price?.cached_input ?? '',
      cache_write: price?.cache_write ?? '',
    },
    validate: {
      model: (v) => (v.trim() ? null : t('form.modelRequired')),
      input: (v) => (amountOf(v) === undefined ? t('form.required') : null),
      output: (v) => (amountOf(v) === undefined ? t('form.required') : null),
    },
  });
  const save = useMutation({
    mutationFn: (v: PriceFormValues) =>
      // Model names may hold `/` or `:`: one path segment, encoded.
      api.put<Price>(`/api/prices/${encodeURIComponent(v.model.trim())}`, {
        input: amountOf(v.input),
        output: amountOf(v.output),
        cached_input: amountOf(v.cached_input) ?? null,
        cache_write: amountOf(v.cache_write) ?? null,
      }),
    onSuccess: (saved) => {
      notifySuccess(t('form.saved', { model: saved.model }));
      void queryClient.invalidateQueries({ queryKey: ['prices'] });
      onDone();
    },
    onError: notifyError,
  });
  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t('form.unit')}
        </Text>
        <TextInput
          label={t('form.model')}
          description={price ? undefined : t('form.modelHint')}
          required
          disabled={Boolean(price)}
          data-autofocus
          maxLength={191}
          {...form.getInputProps('model')}
        />
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
          <UsdInput label={t('form.input')} required {...form.getInputProps('input')} />
          <UsdInput label={t('form.output')} required {...form.getInputProps('output')} />
          <UsdInput
            label={t('form.cachedInput')}
            placeholder={t('form.optionalHint')}
            {...form.getInputProps('cached_input')}
          />
          <UsdInput
            label={t('form.cacheWrite')}
            placeholder={t('form.optionalHint')}
            {...form.getInputProps('cache_write')}
          />
        </SimpleGrid>
        <Group justify="flex-end" mt="xs">
          <Button variant="default" onClick={onDone}>
            {t('common:action.cancel')}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {t('common:action.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
