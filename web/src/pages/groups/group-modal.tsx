/** Making a group or changing its ratio and description (root). */
import { Button, Group, Modal, NumberInput, Stack, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Group as UserGroup } from '../../api/types.ts';
import { notifyError, notifySuccess } from '../../ui/notify.ts';

/** `group`: null makes a new group; undefined is closed. */
export function GroupModal({ group, onClose }: { group: UserGroup | null | undefined; onClose: () => void }) {
  const { t } = useTranslation('groups');
  return (
    <Modal
      opened={group !== undefined}
      onClose={onClose}
      title={group ? t('form.editTitle', { name: group.name }) : t('form.createTitle')}
      centered
    >
      {group === undefined ? null : <GroupForm key={group?.name ?? 'new'} group={group} onDone={onClose} />}
    </Modal>
  );
}

interface GroupFormValues {
  name: string;
  ratio: number | string;
  description: string;
}

function GroupForm({ group, onDone }: { group: UserGroup | null; onDone: () => void }) {
  const { t } = useTranslation(['groups', 'common']);
  const queryClient = useQueryClient();
  const form = useForm<GroupFormValues>({
    initialValues: { name: group?.name ?? '', ratio: group?.ratio ?? 1, description: group?.description ?? '' },
    validate: {
      name: (v) => (group || /^[\w.-]{1,64}$/.test(v.trim()) ? null : t('form.nameInvalid')),
      ratio: (v) => {
        const ratio = Number(v);
        return v !== '' && ratio > 0 && ratio <= 1000 ? null : t('form.ratioInvalid');
      },
    },
  });
  const save = useMutation({
    mutationFn: (v: GroupFormValues) => {
      const body = { ratio: Number(v.ratio), description: v.description.trim() };
      return group
        ? api.put(`/api/groups/${encodeURIComponent(group.name)}`, body)
        : api.post('/api/groups', { name: v.name.trim(), ...body });
    },
    onSuccess: () => {
      notifySuccess(t(group ? 'form.saved' : 'form.created'));
      void queryClient.invalidateQueries({ queryKey: ['groups'] });
      onDone();
    },
    onError: notifyError,
  });
  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
      <Stack gap="sm">
        <TextInput
          label={t('form.name')}
          description={group ? undefined : t('form.nameHint')}
          required={!group}
          disabled={Boolean(group)}
          data-autofocus
          {...form.getInputProps('name')}
        />
        <NumberInput
          label={t('form.ratio')}
          description={t('form.ratioHint')}
          required
          min={0}
          max={1000}
          step={0.1}
          decimalScale={4}
          allowNegative={false}
          prefix="×"
          {...form.getInputProps('ratio')}
        />
        <Textarea
          label={t('form.description')}
          autosize
          minRows={2}
          maxLength={1024}
          {...form.getInputProps('description')}
        />
        <Group justify="flex-end" mt="xs">
          <Button variant="default" onClick={onDone}>
            {t('common:action.cancel')}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {group ? t('common:action.save') : t('common:action.create')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
