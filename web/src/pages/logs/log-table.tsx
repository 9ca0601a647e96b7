/** The logs as a table, newest first: a row (or its details button) opens the request's details. */
import { ActionIcon, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconChevronRight } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { UsageLog } from '../../api/types.ts';
import { dateTime, shortDateTime, usd } from '../../ui/format.ts';
import { userName } from '../../ui/user-select.tsx';
import { HttpStatusBadge, LatencyCell, ModelCell, TokensCell } from './log-cells.tsx';

const NOWRAP = { whiteSpace: 'nowrap' } as const;

interface LogTableProps {
  logs: UsageLog[];
  /** User names by id, for admins (who see everyone's logs); null hides the user column. */
  users: Map<number, string> | null;
  onOpen: (log: UsageLog) => void;
}

export function LogTable({ logs, users, onOpen }: LogTableProps) {
  const { t } = useTranslation(['logs', 'common']);
  return (
    <Table.ScrollContainer minWidth={users ? 1000 : 920}>
      <Table verticalSpacing="xs" highlightOnHover data-testid="log-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('column.time')}</Table.Th>
            {users ? <Table.Th>{t('column.user')}</Table.Th> : null}
            <Table.Th>{t('column.token')}</Table.Th>
            <Table.Th>{t('column.channel')}</Table.Th>
            <Table.Th>{t('column.model')}</Table.Th>
            <Table.Th>{t('column.tokens')}</Table.Th>
            <Table.Th>{t('column.cost')}</Table.Th>
            <Table.Th>{t('column.latency')}</Table.Th>
            <Table.Th>{t('column.status')}</Table.Th>
            <Table.Th w={40}>
              <VisuallyHidden>{t('row.details')}</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {logs.map((log) => (
            <Table.Tr
              key={log.id}
              onClick={() => onOpen(log)}
              style={{ cursor: 'pointer' }}
              data-testid={`log-row-${log.id}`}
            >
              <Table.Td>
                <Tooltip label={dateTime(log.created_at)}>
                  <Text size="sm" style={NOWRAP}>
                    {shortDateTime(log.created_at)}
                  </Text>
                </Tooltip>
              </Table.Td>
              {users ? (
                <Table.Td>
                  <Text size="sm">{userName(users, log.user_id)}</Text>
                </Table.Td>
              ) : null}
              <Table.Td>
                <Text size="sm" style={NOWRAP}>
                  {log.token_name || '—'}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" style={NOWRAP}>
                  {log.channel ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td>
                <ModelCell log={log} />
              </Table.Td>
              <Table.Td>
                <TokensCell log={log} />
              </Table.Td>
              <Table.Td>
                <Text size="sm" style={NOWRAP}>
                  {usd(log.cost_usd)}
                </Text>
              </Table.Td>
              <Table.Td>
                <LatencyCell log={log} />
              </Table.Td>
              <Table.Td>
                <HttpStatusBadge status={log.status} />
              </Table.Td>
              <Table.Td>
                <ActionIcon variant="subtle" color="gray" aria-label={t('row.details')}>
                  <IconChevronRight size={16} />
                </ActionIcon>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
