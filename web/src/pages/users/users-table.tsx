/** One page of users: who they are, their role, group, status and money. */
import { Badge, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { User } from '../../api/types.ts';
import { count, date, usd } from '../../ui/format.ts';
import { StatusBadge } from '../../ui/page.tsx';
import { RoleBadge } from './role-badge.tsx';
import { UserActions } from './user-actions.tsx';

export function UsersTable({
  users,
  onEdit,
  onTopup,
}: {
  users: User[];
  onEdit: (user: User) => void;
  onTopup: (user: User) => void;
}) {
  const { t } = useTranslation(['users', 'common']);
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table verticalSpacing="sm" highlightOnHover data-testid="users-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('column.user')}</Table.Th>
            <Table.Th>{t('column.role')}</Table.Th>
            <Table.Th>{t('column.group')}</Table.Th>
            <Table.Th>{t('column.status')}</Table.Th>
            <Table.Th ta="right">{t('column.balance')}</Table.Th>
            <Table.Th ta="right">{t('column.used')}</Table.Th>
            <Table.Th ta="right">{t('column.requests')}</Table.Th>
            <Table.Th>{t('column.created')}</Table.Th>
            <Table.Th w={48}>
              <VisuallyHidden>{t('column.actions')}</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.map((user) => (
            <Table.Tr key={user.id} data-testid={`user-row-${user.username}`}>
              <Table.Td>
                <Stack gap={0}>
                  <Text size="sm" fw={600}>
                    {user.username}
                  </Text>
                  {user.display_name && user.display_name !== user.username ? (
                    <Text size="xs" c="dimmed">
                      {user.display_name}
                    </Text>
                  ) : null}
                  {user.email ? (
                    <Text size="xs" c="dimmed">
                      {user.email}
                    </Text>
                  ) : null}
                </Stack>
              </Table.Td>
              <Table.Td>
                <RoleBadge role={user.role} />
              </Table.Td>
              <Table.Td>
                <Badge variant="outline" color="gray" tt="none">
                  {user.group}
                </Badge>
              </Table.Td>
              <Table.Td>
                <StatusBadge status={user.status} />
              </Table.Td>
              <Table.Td ta="right">
                {user.quota_usd === null ? (
                  <Badge variant="light" color="teal">
                    {t('common:state.unlimited')}
                  </Badge>
                ) : (
                  <Text size="sm" fw={500} c={user.quota_usd <= 0 ? 'red' : 'inherit'}>
                    {usd(user.quota_usd)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td ta="right">
                <Text size="sm">{usd(user.used_usd)}</Text>
              </Table.Td>
              <Table.Td ta="right">
                <Text size="sm">{count(user.request_count)}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  {date(user.created_at)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group justify="flex-end">
                  <UserActions user={user} onEdit={onEdit} onTopup={onTopup} />
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
