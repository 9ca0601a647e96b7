/** One page of redemption codes: what each is worth, its state, and who redeemed it when. */
import { Anchor, Badge, Group, Table, Text, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { Redemption, User } from '../../api/types.ts';
import { dateTime, usd } from '../../ui/format.ts';
import { RedemptionActions } from './redemption-actions.tsx';

const STATUS_COLOR: Record<Redemption['status'], string> = { unused: 'blue', used: 'gray', disabled: 'red' };

/** Who redeemed a code, by name (one lookup per user, shared by every row they redeemed). */
function RedeemedBy({ userId }: { userId: number }) {
  const { t } = useTranslation('redemptions');
  const user = useQuery({
    queryKey: ['users', userId],
    queryFn: () => api.get<User>(`/api/users/${userId}`),
    staleTime: 5 * 60_000,
    retry: false,
  });
  return (
    <Anchor component={Link} to={`/logs?user_id=${userId}`} size="sm">
      {user.data?.username ?? t('userFallback', { id: userId })}
    </Anchor>
  );
}

export function RedemptionsTable({ redemptions }: { redemptions: Redemption[] }) {
  const { t } = useTranslation('redemptions');
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table verticalSpacing="sm" highlightOnHover data-testid="redemptions-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('column.name')}</Table.Th>
            <Table.Th ta="right">{t('column.amount')}</Table.Th>
            <Table.Th>{t('column.status')}</Table.Th>
            <Table.Th>{t('column.created')}</Table.Th>
            <Table.Th>{t('column.redeemedBy')}</Table.Th>
            <Table.Th>{t('column.redeemedAt')}</Table.Th>
            <Table.Th w={48}>
              <VisuallyHidden>{t('column.actions')}</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {redemptions.map((r) => (
            <Table.Tr key={r.id} data-testid={`redemption-row-${r.id}`}>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {r.name}
                </Text>
                <Text size="xs" c="dimmed">
                  #{r.id}
                </Text>
              </Table.Td>
              <Table.Td ta="right">
                <Text size="sm" fw={500}>
                  {usd(r.quota_usd)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Badge variant="light" color={STATUS_COLOR[r.status]}>
                  {t(`status.${r.status}`)}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="sm" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  {dateTime(r.created_at)}
                </Text>
              </Table.Td>
              <Table.Td>
                {r.redeemed_by === null ? <Text c="dimmed">—</Text> : <RedeemedBy userId={r.redeemed_by} />}
              </Table.Td>
              <Table.Td>
                <Text size="sm" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  {dateTime(r.redeemed_at)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group justify="flex-end">
                  <RedemptionActions redemption={r} />
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
