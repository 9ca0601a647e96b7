/** The calls a virtual model made for one client request, with what each cost; shown only when there are some. */
import { Paper, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Page, UsageLog } from '../../api/types.ts';
import { usd } from '../../ui/format.ts';
import { QueryError } from '../../ui/page.tsx';
import { HttpStatusBadge, LatencyCell, ModelCell, TokensCell } from './log-cells.tsx';

/** A virtual model makes a handful of calls per request; the API's largest page holds them all. */
const MAX_CHILDREN = 100;

export function LogChildren({ requestId, onOpen }: { requestId: string; onOpen: (log: UsageLog) => void }) {
  const { t } = useTranslation('logs');
  const children = useQuery({
    queryKey: ['logs', 'children', requestId],
    queryFn: () => api.get<Page<UsageLog>>('/api/logs', { parent_request_id: requestId, page_size: MAX_CHILDREN }),
  });
  if (children.isError) return <QueryError error={children.error} onRetry={() => void children.refetch()} />;
  const calls = children.data?.items ?? [];
  if (!calls.length) return null;
  const total = calls.reduce((sum, call) => sum + call.cost_usd, 0);
  return (
    <Paper withBorder p="md" data-testid="log-children">
      <Text fw={600}>{t('detail.children')}</Text>
      <Text size="sm" c="dimmed" mb="xs">
        {t('detail.childrenTotal', { count: children.data?.total ?? calls.length, cost: usd(total) })}
      </Text>
      <Table.ScrollContainer minWidth={480}>
        <Table verticalSpacing={6} highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('column.model')}</Table.Th>
              <Table.Th>{t('column.tokens')}</Table.Th>
              <Table.Th>{t('column.cost')}</Table.Th>
              <Table.Th>{t('column.latency')}</Table.Th>
              <Table.Th>{t('column.status')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {calls.map((call) => (
              <Table.Tr key={call.id} onClick={() => onOpen(call)} style={{ cursor: 'pointer' }}>
                <Table.Td>
                  <ModelCell log={call} markChild={false} />
                  <Text size="xs" c="dimmed">
                    {call.channel ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <TokensCell log={call} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{usd(call.cost_usd)}</Text>
                </Table.Td>
                <Table.Td>
                  <LatencyCell log={call} />
                </Table.Td>
                <Table.Td>
                  <HttpStatusBadge status={call.status} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}
