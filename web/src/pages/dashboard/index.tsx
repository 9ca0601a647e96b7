/** The dashboard: usage of the chosen range (everyone's for admins, the caller's own for users) and the last minute live. */
import { Grid, Skeleton, Stack } from '@mantine/core';
import { useLocalStorage } from '@mantine/hooks';
import { useIsFetching, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { atLeast, SELF_KEY, useUser } from '../../auth.tsx';
import { PageHeader, QueryError } from '../../ui/page.tsx';
import { useUserNames } from '../../ui/user-select.tsx';
import { breakdownsFor, useDashboardFilters } from './filters.ts';
import { GettingStarted } from './getting-started.tsx';
import { LiveView } from './live-view.tsx';
import { useKeyLabel } from './names.ts';
import { LatencyPercentiles } from './percentiles.tsx';
import { useTimeStats } from './queries.ts';
import { timeSeries } from './series.ts';
import { SummaryCards } from './summary-cards.tsx';
import { REQUESTS_CHART_HEIGHT, RequestsChart, UsageCharts } from './time-charts.tsx';
import { Toolbar } from './toolbar.tsx';
import { TopLists } from './top-lists.tsx';

export default function DashboardPage() {
  const { t } = useTranslation('dashboard');
  const user = useUser();
  const admin = atLeast(user, 'admin');
  const [filters, setFilters] = useDashboardFilters(admin);
  const [autoRefresh, setAutoRefresh] = useLocalStorage({
    key: 'switchyard.dashboard.autoRefresh',
    defaultValue: false,
  });
  const keyLabel = useKeyLabel(useUserNames(admin));
  const time = useTimeStats(filters, autoRefresh);
  const queryClient = useQueryClient();
  const refreshing = useIsFetching({ queryKey: ['stats'] }) > 0;
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['stats'] });
    void queryClient.invalidateQueries({ queryKey: SELF_KEY });
  };
  const chart = useMemo(() => time.data && timeSeries(time.data.window, time.data.stats.buckets), [time.data]);
  const empty = time.data?.stats.summary.requests === 0;

  return (
    <>
      <PageHeader title={t('title')} description={admin ? t('description.admin') : t('description.user')} />
      <Stack gap="md">
        <Toolbar
          filters={filters}
          onChange={setFilters}
          admin={admin}
          autoRefresh={autoRefresh}
          onAutoRefresh={setAutoRefresh}
          refreshing={refreshing}
          onRefresh={refresh}
        />
        {time.isError ? (
          <QueryError error={time.error} onRetry={() => void time.refetch()} />
        ) : (
          <SummaryCards summary={time.data?.stats.summary} window={time.data?.window} balanceOf={admin ? null : user} />
        )}
        <Grid gap="md">
          <Grid.Col span={{ base: 12, lg: 8 }}>
            {empty ? <GettingStarted /> : null}
            {!empty && chart && time.data ? (
              <RequestsChart
                window={time.data.window}
                data={chart}
                breakdown={filters.breakdown}
                seriesLabel={(name) => keyLabel(filters.breakdown, name)}
              />
            ) : null}
            {time.isPending ? <Skeleton h={REQUESTS_CHART_HEIGHT + 70} radius="md" /> : null}
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 4 }}>
            <LiveView userId={filters.userId} />
          </Grid.Col>
        </Grid>
        {!empty && chart && time.data ? <UsageCharts window={time.data.window} data={chart} /> : null}
        {empty ? null : (
          <>
            <TopLists
              filters={filters}
              dimensions={breakdownsFor(admin)}
              autoRefresh={autoRefresh}
              keyLabel={keyLabel}
            />
            <LatencyPercentiles filters={filters} autoRefresh={autoRefresh} />
          </>
        )}
      </Stack>
    </>
  );
}
