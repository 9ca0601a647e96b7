/** A user's top-ups: redeemed codes and an administrator's additions. */
import { Badge, Skeleton, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Page, Topup } from '../../api/types.ts';
import { dateTime, usd } from '../../ui/format.ts';
import { Pager, QueryError } from '../../ui/page.tsx';

const PAGE_SIZE = 10;

/** One user's top-ups (admins see everyone's without the filter, so the account page passes its own id too). */
export function TopupHistory({ userId }: { userId: number }) {
  const { t } = useTranslation('account');
  const [page, setPage] = useState(1);
  const topups = useQuery({
    queryKey: ['topups', userId, page],
    queryFn: () => api.get<Page<Topup>>('/api/topups', { user_id: userId, page, page_size: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  if (topups.isPending) return <Skeleton h={120} />;
  if (topups.isError) return <QueryError error={topups.error} onRetry={() => void topups.refetch()} />;
  const { items, total } = topups.data;
  if (!total)
    return (
      <Text size="sm" c="dimmed">
        {t('topups.empty')}
      </Text>
    );
  return (
    <>
      <Table.ScrollContainer minWidth={460}>
        <Table verticalSpacing="xs" data-testid="topup-history">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('topups.time')}</Table.Th>
              <Table.Th ta="right">{t('topups.amount')}</Table.Th>
              <Table.Th>{t('topups.source')}</Table.Th>
              <Table.Th>{t('topups.reference')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((topup) => (
              <Table.Tr key={topup.id}>
                <Table.Td>
                  <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                    {dateTime(topup.created_at)}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">
                  <Text size="sm" c="teal" fw={600}>
                    +{usd(topup.quota_usd)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={topup.source === 'redemption' ? 'violet' : 'blue'}>
                    {t(topup.source === 'redemption' ? 'topups.sourceRedemption' : 'topups.sourceAdmin')}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed">
                    {/* A redeemed code's reference is the code's id. */}
                    {topup.source === 'redemption' && topup.reference
                      ? t('topups.codeReference', { id: topup.reference })
                      : (topup.reference ?? '—')}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {total > PAGE_SIZE ? <Pager page={page} pageSize={PAGE_SIZE} total={total} onPage={setPage} /> : null}
    </>
  );
}
