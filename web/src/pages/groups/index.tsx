/** Groups: the price ratio each group of users pays; admins read them, root changes them. */
import { ActionIcon, Alert, Badge, Button, Group, Paper, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconEdit, IconInfoCircle, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Group as UserGroup } from '../../api/types.ts';
import { useUser } from '../../auth.tsx';
import { confirmDelete } from '../../ui/confirm.ts';
import { count } from '../../ui/format.ts';
import { notifyError, notifySuccess } from '../../ui/notify.ts';
import { PageHeader, QueryView } from '../../ui/page.tsx';
import { GroupModal } from './group-modal.tsx';
import { useGroups } from './use-groups.ts';

function GroupActions({ group, onEdit }: { group: UserGroup; onEdit: (group: UserGroup) => void }) {
  const { t } = useTranslation(['groups', 'common']);
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api.delete(`/api/groups/${encodeURIComponent(group.name)}`),
    onSuccess: () => {
      notifySuccess(t('common:state.deleted'));
      void queryClient.invalidateQueries({ queryKey: ['groups'] });
    },
    // A group with members is refused by the API: its message says so.
    onError: notifyError,
  });
  const isDefault = group.name === 'default';
  return (
    <Group gap={4} justify="flex-end" wrap="nowrap">
      <Tooltip label={t('common:action.edit')}>
        <ActionIcon
          variant="subtle"
          color="gray"
          aria-label={`${t('common:action.edit')} ${group.name}`}
          onClick={() => onEdit(group)}
        >
          <IconEdit size={16} />
        </ActionIcon>
      </Tooltip>
      <Tooltip label={isDefault ? t('defaultProtected') : t('common:action.delete')}>
        <ActionIcon
          variant="subtle"
          color="red"
          aria-label={`${t('common:action.delete')} ${group.name}`}
          disabled={isDefault}
          loading={remove.isPending}
          onClick={() => confirmDelete(group.name, () => remove.mutate())}
        >
          <IconTrash size={16} />
        </ActionIcon>
      </Tooltip>
    </Group>
  );
}

export default function GroupsPage() {
  const { t } = useTranslation(['groups', 'common']);
  const self = useUser();
  const isRoot = self.role === 'root';
  const groups = useGroups();
  /** The group in the dialog: null while making one, undefined when it is closed. */
  const [editing, setEditing] = useState<UserGroup | null | undefined>(undefined);
  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={
          isRoot ? (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing(null)}>
              {t('create')}
            </Button>
          ) : undefined
        }
      />
      {isRoot ? null : (
        <Alert variant="light" color="blue" icon={<IconInfoCircle size={18} />} mb="md">
          {t('rootOnly')}
        </Alert>
      )}
      <Paper withBorder radius="md" p={{ base: 'xs', sm: 'md' }}>
        <QueryView query={groups} isEmpty={(data) => data.length === 0} empty={t('empty')} height={160}>
          {(data) => (
            <Table.ScrollContainer minWidth={560}>
              <Table verticalSpacing="sm" highlightOnHover data-testid="groups-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('column.name')}</Table.Th>
                    <Table.Th ta="right">{t('column.ratio')}</Table.Th>
                    <Table.Th>{t('column.description')}</Table.Th>
                    <Table.Th ta="right">{t('column.users')}</Table.Th>
                    {isRoot ? (
                      <Table.Th w={96}>
                        <VisuallyHidden>{t('column.actions')}</VisuallyHidden>
                      </Table.Th>
                    ) : null}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.map((group) => (
                    <Table.Tr key={group.name} data-testid={`group-row-${group.name}`}>
                      <Table.Td>
                        <Text size="sm" fw={600}>
                          {group.name}
                        </Text>
                      </Table.Td>
                      <Table.Td ta="right">
                        <Badge variant="light" color={group.ratio === 1 ? 'gray' : group.ratio < 1 ? 'teal' : 'orange'}>
                          ×{group.ratio}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" c="dimmed">
                          {group.description || '—'}
                        </Text>
                      </Table.Td>
                      <Table.Td ta="right">
                        <Text size="sm">{count(group.users)}</Text>
                      </Table.Td>
                      {isRoot ? (
                        <Table.Td>
                          <GroupActions group={group} onEdit={setEditing} />
                        </Table.Td>
                      ) : null}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryView>
      </Paper>
      <GroupModal group={editing} onClose={() => setEditing(undefined)} />
    </>
  );
}
