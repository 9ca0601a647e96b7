/** The last minute, polled every few seconds: rates, a per-second sparkline and the latest requests. */
import { BarChart } from '@mantine/charts';
import { Badge, SimpleGrid, Skeleton, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { UsageLog } from '../../api/types.ts';
import { compact, count, duration } from '../../ui/format.ts';
import { QueryError } from '../../ui/page.tsx';
import { Figure, Panel } from './panel.tsx';
import { useLiveLogs } from './queries.ts';
import { clockTime, LIVE_SECONDS, perSecond } from './range.ts';

const RECENT = 5;

function statusColor(status: number): string {
  if (status < 400) return 'teal';
  return status < 500 ? 'orange' : 'red';
}

/**
 * The minute's figures. The API sends at most 100 logs (newest first) but counts them all: past 100 a minute, rates
 * come from the span the 100 cover and errors are scaled from them.
 */
function liveFigures(items: readonly UsageLog[], total: number, from: number) {
  const oldest = items.at(-1)?.created_at ?? from;
  const seconds = items.length < total ? Math.max(1, (Date.now() - oldest) / 1000) : LIVE_SECONDS;
  const tokens = items.reduce((sum, log) => sum + log.prompt_tokens + log.completion_tokens, 0);
  const errors = items.filter((log) => log.status >= 400).length;
  return {
    requests: total,
    perSecond: total / LIVE_SECONDS,
    errors: items.length ? Math.round((errors * total) / items.length) : 0,
    tokensPerSecond: tokens / seconds,
  };
}

export function LiveView({ userId }: { userId: number | null }) {
  const { t } = useTranslation('dashboard');
  const live = useLiveLogs(userId);
  const badge = (
    <Badge variant="dot" color={live.isError ? 'red' : 'teal'}>
      {t('live.title')}
    </Badge>
  );
  return (
    <Panel testId="live-view" title={t('live.heading')} description={t('live.subtitle')} actions={badge}>
      {live.isError ? <QueryError error={live.error} onRetry={() => void live.refetch()} /> : null}
      {live.data ? <LiveBody items={live.data.page.items} total={live.data.page.total} from={live.data.from} /> : null}
      {live.isPending ? <Skeleton h={260} radius="md" /> : null}
    </Panel>
  );
}

function LiveBody({ items, total, from }: { items: UsageLog[]; total: number; from: number }) {
  const { t } = useTranslation('dashboard');
  const figures = liveFigures(items, total, from);
  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 2, xs: 4, lg: 2 }} spacing="xs" verticalSpacing="xs">
        <Figure label={t('live.requests')} value={count(figures.requests)} />
        <Figure label={t('live.perSecond')} value={compact(figures.perSecond)} />
        <Figure label={t('live.errors')} value={count(figures.errors)} {...(figures.errors ? { color: 'red' } : {})} />
        <Figure label={t('live.tokensPerSecond')} value={compact(figures.tokensPerSecond)} />
      </SimpleGrid>
      <BarChart
        h={56}
        data={perSecond(items, from)}
        dataKey="second"
        type="stacked"
        series={[
          { name: 'ok', label: t('live.requests'), color: 'indigo.5' },
          { name: 'failed', label: t('live.errors'), color: 'red.6' },
        ]}
        withXAxis={false}
        withYAxis={false}
        yAxisProps={{ domain: [0, (busiest: number) => Math.max(busiest, 3)] }}
        withTooltip={false}
        gridAxis="none"
        referenceLines={[{ y: 0, color: 'gray.5' }]}
        barChartProps={{ barCategoryGap: 1, margin: { top: 0, right: 0, bottom: 0, left: 0 } }}
        role="img"
        aria-label={t('live.sparkline')}
      />
      <Stack gap={6}>
        <Text size="xs" c="dimmed" fw={600} tt="uppercase">
          {t('live.recent')}
        </Text>
        {items.length ? (
          <Table verticalSpacing={4} horizontalSpacing={6} fz="xs" withRowBorders={false} data-testid="live-recent">
            <Table.Tbody>
              {items.slice(0, RECENT).map((log) => (
                <Table.Tr key={log.id}>
                  <Table.Td c="dimmed" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
                    {clockTime(log.created_at)}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" lineClamp={1} style={{ wordBreak: 'break-all' }}>
                      {log.model}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge size="xs" variant="light" color={statusColor(log.status)}>
                      {log.status}
                    </Badge>
                  </Table.Td>
                  <Table.Td ta="right" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
                    {duration(log.latency_ms)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : (
          <Text size="sm" c="dimmed">
            {t('live.quiet')}
          </Text>
        )}
      </Stack>
    </Stack>
  );
}
