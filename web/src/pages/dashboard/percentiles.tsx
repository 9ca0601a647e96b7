/** Latency and time-to-first-token percentiles for the range: overall, then per model. */
import { Paper, SimpleGrid, Skeleton, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Percentiles } from '../../api/types.ts';
import { count, duration } from '../../ui/format.ts';
import { QueryError } from '../../ui/page.tsx';
import type { DashboardFilters } from './filters.ts';
import { Figure, Panel } from './panel.tsx';
import { useLatencyStats } from './queries.ts';

const LEVELS = ['p50', 'p90', 'p95', 'p99'] as const;

function Overall({ label, values }: { label: string; values: Percentiles }) {
  return (
    <Paper withBorder radius="md" p="sm">
      <Text size="xs" c="dimmed" fw={600} tt="uppercase" mb={6}>
        {label}
      </Text>
      <SimpleGrid cols={{ base: 2, xs: 4 }} spacing="xs">
        {LEVELS.map((level) => (
          <Figure key={level} label={level} value={duration(values[level])} />
        ))}
      </SimpleGrid>
    </Paper>
  );
}

const cells = (values: Percentiles) =>
  LEVELS.map((level) => (
    <Table.Td key={level} ta="right">
      {duration(values[level])}
    </Table.Td>
  ));

export function LatencyPercentiles({ filters, autoRefresh }: { filters: DashboardFilters; autoRefresh: boolean }) {
  const { t } = useTranslation('dashboard');
  const latency = useLatencyStats(filters, autoRefresh);
  const stats = latency.data;
  return (
    <Panel testId="latency-percentiles" title={t('percentiles.title')} description={t('percentiles.subtitle')}>
      {latency.isError ? <QueryError error={latency.error} onRetry={() => void latency.refetch()} /> : null}
      {latency.isPending ? <Skeleton h={220} radius="md" /> : null}
      {stats && !stats.latency.count ? (
        <Text size="sm" c="dimmed">
          {t('percentiles.empty')}
        </Text>
      ) : null}
      {stats?.latency.count ? (
        <Stack gap="md">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <Overall label={t('percentiles.latency')} values={stats.latency} />
            <Overall label={t('percentiles.ttft')} values={stats.ttft} />
          </SimpleGrid>
          <Table.ScrollContainer minWidth={720}>
            <Table
              fz="sm"
              verticalSpacing={6}
              highlightOnHover
              style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th rowSpan={2}>{t('percentiles.model')}</Table.Th>
                  <Table.Th rowSpan={2} ta="right">
                    {t('percentiles.requests')}
                  </Table.Th>
                  <Table.Th colSpan={4} ta="center">
                    {t('percentiles.latency')}
                  </Table.Th>
                  <Table.Th colSpan={4} ta="center">
                    {t('percentiles.ttft')}
                  </Table.Th>
                </Table.Tr>
                <Table.Tr>
                  {[...LEVELS, ...LEVELS].map((level, i) => (
                    <Table.Th key={`${level}-${i < LEVELS.length ? 'latency' : 'ttft'}`} ta="right" c="dimmed" fw={500}>
                      {level}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {stats.by_model.map((row) => (
                  <Table.Tr key={row.model}>
                    <Table.Td fw={500}>{row.model}</Table.Td>
                    <Table.Td ta="right">{count(row.requests)}</Table.Td>
                    {cells(row.latency)}
                    {cells(row.ttft)}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Stack>
      ) : null}
    </Panel>
  );
}
