/** Making redemption codes: a name, an amount and how many; the answer's codes go to the caller to show once. */
import { Button, Group, Modal, NumberInput, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { notifyError } from '../../ui/notify.ts';
import { amountOf, UsdInput } from '../../ui/usd-input.tsx';

interface CreateValues {
  name: string;
  amount: number | string;
  count: number | string;
}

export function CreateModal({
  opened,
  onClose,
  onCreated,
}: {
  opened: boolean;
  onClose: () => void;
  onCreated: (codes: string[]) => void;
}) {
  const { t } = useTranslation('redemptions');
  return (
    <Modal opened={opened} onClose={onClose} title={t('form.title')} centered>
      {opened ? <CreateForm onCancel={onClose} onCreated={onCreated} /> : null}
    </Modal>
  );
}

function CreateForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (codes: string[]) => void }) {
  const { t } = useTranslation(['redemptions', 'common']);
  const queryClient = useQueryClient();
  const form = useForm<CreateValues>({
    initialValues: { name: '', amount: '', count: 1 },
    validate: {
      name: (v) => (v.trim() ? null : t('form.nameRequired')),
      amount: (v) => ((amountOf(v) ?? 0) > 0 ? null : t('form.amountInvalid')),
      count: (v) => {
        const n = Number(v);
        return Number.isInteger(n) && n >= 1 && n <= 100 ? null : t('form.countInvalid');
      },
    },
  });
  const create = useMutation({
    mutationFn: (v: CreateValues) =>
      api.post<{ codes: { id: number; code: string }[] }>('/api/redemptions', {
        name: v.name.trim(),
        quota_usd: amountOf(v.amount),
        count: Number(v.count),
      }),
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: ['redemptions'] });
      onCreated(result.codes.map((c) => c.code));
    },
    onError: notifyError,
  });
  return (
    <form onSubmit={form.onSubmit((v) => create.mutate(v))}>
      <Stack gap="sm">
        <TextInput
          label={t('form.name')}
          description={t('form.nameHint')}
          required
          maxLength={191}
          data-autofocus
          {...form.getInputProps('name')}
        />
        <UsdInput label={t('form.amount')} required {...form.getInputProps('amount')} />
        <NumberInput
          label={t('form.count')}
          required
          min={1}
          max={100}
          allowDecimal={false}
          allowNegative={false}
          {...form.getInputProps('count')}
        />
        <Group justify="flex-end" mt="xs">
          <Button variant="default" onClick={onCancel}>
            {t('common:action.cancel')}
          </Button>
          <Button type="submit" loading={create.isPending}>
            {t('form.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
