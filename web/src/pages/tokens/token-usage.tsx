/** A key's last seven days: what it cost and how many requests it made, day by day (UTC days, as the API counts). */
import { BarChart } from '@mantine/charts';
import { Anchor, Group, Paper, SimpleGrid, Skeleton, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client.ts';
import type { Stats } from '../../api/types.ts';
import { count, usd } from '../../ui/format.ts';
import { QueryError } from '../../ui/page.tsx';

const DAY_MS = 86_400_000;
const DAYS = 7;

/** The UTC days of the week up to today, as the API's bucket keys (YYYY-MM-DD). */
function lastDays(from: number): string[] {
  return Array.from({ length: DAYS }, (_, i) => new Date(from + i * DAY_MS).toISOString().slice(0, 10));
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="lg" fw={650}>
        {value}
      </Text>
    </Stack>
  );
}

export function TokenUsage({ tokenId }: { tokenId: number }) {
  const { t } = useTranslation('tokens');
  // The window starts at a UTC midnight, so the first bucket is a whole day; fixed while the drawer is open.
  const [from] = useState(() => Math.floor(Date.now() / DAY_MS) * DAY_MS - (DAYS - 1) * DAY_MS);
  const stats = useQuery({
    queryKey: ['stats', { token_id: tokenId, group_by: 'day', from }],
    queryFn: () => api.get<Stats>('/api/stats', { token_id: tokenId, group_by: 'day', from }),
  });
  if (stats.isPending) return <Skeleton h={190} radius="md" />;
  if (stats.isError) return <QueryError error={stats.error} onRetry={() => void stats.refetch()} />;
  const byDay = new Map(stats.data.buckets.map((b) => [b.key, b]));
  const data = lastDays(from).map((day) => ({ day: day.slice(5), cost: byDay.get(day)?.cost_usd ?? 0 }));
  return (
    <Paper withBorder p="md" data-testid="token-usage">
      <Group justify="space-between" mb="xs">
        <Text fw={600}>{t('usage.title')}</Text>
        <Anchor component={Link} to={`/logs?token_id=${tokenId}`} size="sm">
          {t('usage.viewLogs')}
        </Anchor>
      </Group>
      <SimpleGrid cols={2} mb="sm">
        <Figure label={t('usage.cost')} value={usd(stats.data.summary.cost_usd)} />
        <Figure label={t('usage.requests')} value={count(stats.data.summary.requests)} />
      </SimpleGrid>
      <BarChart
        h={110}
        data={data}
        dataKey="day"
        series={[{ name: 'cost', label: t('usage.cost'), color: 'indigo.5' }]}
        valueFormatter={usd}
        withYAxis={false}
        gridAxis="none"
        tickLine="none"
      />
    </Paper>
  );
}
