/** The busiest models, channels, API keys or users of the range, ranked by requests with their share. */
import { Group, Progress, SegmentedControl, Skeleton, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StatsSplit } from '../../api/types.ts';
import { compact, count, percent, usd } from '../../ui/format.ts';
import { QueryError } from '../../ui/page.tsx';
import type { DashboardFilters } from './filters.ts';
import { Panel } from './panel.tsx';
import { useGroupStats } from './queries.ts';

const TOP_ROWS = 10;

export function TopLists({
  filters,
  dimensions,
  autoRefresh,
  keyLabel,
}: {
  filters: DashboardFilters;
  dimensions: readonly StatsSplit[];
  autoRefresh: boolean;
  keyLabel: (dimension: StatsSplit, key: string | null) => string;
}) {
  const { t } = useTranslation('dashboard');
  const [dimension, setDimension] = useState<StatsSplit>('model');
  const stats = useGroupStats(filters, dimension, autoRefresh);
  const total = stats.data?.summary.requests ?? 0;
  const rows = [...(stats.data?.buckets ?? [])].sort((a, b) => b.requests - a.requests).slice(0, TOP_ROWS);
  const picker = (
    <SegmentedControl
      aria-label={t('top.dimension')}
      size="xs"
      data={dimensions.map((d) => ({ value: d, label: t(`dimension.${d}`) }))}
      value={dimension}
      onChange={(value) => setDimension(dimensions.find((d) => d === value) ?? 'model')}
    />
  );
  return (
    <Panel testId="top-lists" title={t('top.title')} description={t('top.subtitle')} actions={picker}>
      {stats.isError ? <QueryError error={stats.error} onRetry={() => void stats.refetch()} /> : null}
      {stats.isPending ? <Skeleton h={220} radius="md" /> : null}
      {stats.data && !rows.length ? (
        <Text size="sm" c="dimmed">
          {t('top.empty')}
        </Text>
      ) : null}
      {rows.length ? (
        <Table.ScrollContainer minWidth={640}>
          <Table
            fz="sm"
            verticalSpacing={6}
            highlightOnHover
            style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t(`dimension.${dimension}`)}</Table.Th>
                <Table.Th ta="right">{t('top.requests')}</Table.Th>
                <Table.Th w="22%">{t('top.share')}</Table.Th>
                <Table.Th ta="right">{t('top.tokens')}</Table.Th>
                <Table.Th ta="right">{t('top.cost')}</Table.Th>
                <Table.Th ta="right">{t('top.errorRate')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => {
                const share = total ? row.requests / total : 0;
                const errorRate = row.requests ? row.errors / row.requests : null;
                return (
                  <Table.Tr key={row.key}>
                    <Table.Td fw={500}>{keyLabel(dimension, row.key)}</Table.Td>
                    <Table.Td ta="right">{count(row.requests)}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Progress value={share * 100} size="sm" radius="xl" style={{ flex: 1 }} />
                        <Text size="xs" c="dimmed" w={44} ta="right">
                          {percent(share)}
                        </Text>
                      </Group>
                    </Table.Td>
                    <Table.Td ta="right">{compact(row.prompt_tokens + row.completion_tokens)}</Table.Td>
                    <Table.Td ta="right">{usd(row.cost_usd)}</Table.Td>
                    <Table.Td
                      ta="right"
                      c={errorRate !== null && errorRate >= 0.05 ? 'red' : 'var(--mantine-color-text)'}
                    >
                      {percent(errorRate)}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
    </Panel>
  );
}
