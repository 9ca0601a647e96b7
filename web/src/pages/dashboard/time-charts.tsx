/** The range over time: requests stacked by the breakdown's busiest series, tokens, cost and error rate. */
import { AreaChart, type AreaChartProps, BarChart } from '@mantine/charts';
import { SimpleGrid } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { StatsSplit } from '../../api/types.ts';
import { compact, count, percent, usd } from '../../ui/format.ts';
import { Panel } from './panel.tsx';
import { axisTicks, bucketLabel, type RangeWindow, tickLabel } from './range.ts';
import { OTHER_COLOR, SERIES_COLORS, type TimeSeries } from './series.ts';

export const CHART_HEIGHT = 240;
/** The requests chart stands beside the live view: as tall as it. */
export const REQUESTS_CHART_HEIGHT = 330;

type YAxisProps = NonNullable<AreaChartProps['yAxisProps']>;

/**
 * The props every time chart shares: an even time axis with round local ticks, bucket times in tooltips, and a value
 * axis with round steps (1, 2, 5 × 10ⁿ) formatted by `tickFormatter`.
 */
function timeAxis(window: RangeWindow, tickFormatter: (value: number) => string, yAxisProps: YAxisProps = {}) {
  return {
    dataKey: 'time',
    h: CHART_HEIGHT,
    xAxisProps: {
      ticks: axisTicks(window),
      tickFormatter: (value: number) => tickLabel(window, value),
      interval: 'preserveStartEnd' as const,
      minTickGap: 12,
    },
    yAxisProps: { width: 56, niceTicks: 'snap125' as const, tickFormatter, ...yAxisProps },
    tooltipProps: { labelFormatter: (value: unknown) => bucketLabel(window, Number(value)) },
    tickLine: 'none' as const,
  };
}

/** Legends below the chart, in the order of the series (not alphabetical). */
const LEGEND = { verticalAlign: 'bottom', itemSorter: null } as const;

/** The error-rate axis reaches a round 10%, 20%…, at least 10%: a few failures should not look like a wall. */
const MIN_ERROR_RATE_AXIS = 0.1;

/** Dollars on an axis: round steps need no more than two significant digits. */
const usdTick = (value: number) => (value === 0 ? '$0' : usd(Number(value.toPrecision(2))));

export function RequestsChart({
  window,
  data,
  breakdown,
  seriesLabel,
}: {
  window: RangeWindow;
  data: TimeSeries;
  breakdown: StatsSplit;
  /** A series' display name (null: the rest, folded into "other"). */
  seriesLabel: (name: string | null) => string;
}) {
  const { t } = useTranslation('dashboard');
  const series = data.series.length
    ? data.series.map((s, i) => ({
        name: s.key,
        label: seriesLabel(s.name),
        color: s.name === null ? OTHER_COLOR : (SERIES_COLORS[i] ?? OTHER_COLOR),
      }))
    : [{ name: 'requests', label: t('charts.requests'), color: SERIES_COLORS[0] }];
  return (
    <Panel testId="chart-requests" title={t('charts.requests')} description={t(`breakdown.${breakdown}`)}>
      <BarChart
        {...timeAxis(window, compact, { allowDecimals: false })}
        h={REQUESTS_CHART_HEIGHT}
        data={data.rows}
        series={series}
        type="stacked"
        withLegend
        legendProps={{ ...LEGEND, height: 40 }}
        valueFormatter={(value) => count(value)}
        barChartProps={{ barCategoryGap: '15%' }}
      />
    </Panel>
  );
}

/** Tokens, cost and error rate side by side: each a small area chart over the same axis. */
export function UsageCharts({ window, data }: { window: RangeWindow; data: TimeSeries }) {
  const { t } = useTranslation('dashboard');
  return (
    <SimpleGrid cols={{ base: 1, lg: 3 }}>
      <Panel testId="chart-tokens" title={t('charts.tokens')}>
        <AreaChart
          {...timeAxis(window, compact)}
          data={data.rows}
          type="stacked"
          series={[
            { name: 'prompt', label: t('charts.prompt'), color: 'teal.6' },
            { name: 'completion', label: t('charts.completion'), color: 'indigo.5' },
          ]}
          withDots={false}
          withLegend
          legendProps={{ ...LEGEND, height: 32 }}
          valueFormatter={(value) => compact(value)}
        />
      </Panel>
      <Panel testId="chart-cost" title={t('charts.cost')}>
        <AreaChart
          {...timeAxis(window, usdTick)}
          data={data.rows}
          series={[{ name: 'cost', label: t('charts.cost'), color: 'yellow.6' }]}
          withDots={false}
          withGradient
          valueFormatter={(value) => usd(value)}
        />
      </Panel>
      <Panel testId="chart-error-rate" title={t('charts.errorRate')}>
        <AreaChart
          {...timeAxis(window, (value) => percent(value, 0), {
            domain: [0, (highest: number) => Math.max(Math.ceil(highest * 10) / 10, MIN_ERROR_RATE_AXIS)],
          })}
          data={data.rows}
          series={[{ name: 'errorRate', label: t('charts.errorRate'), color: 'red.6' }]}
          withDots={false}
          withGradient
          connectNulls={false}
          valueFormatter={(value) => percent(value)}
        />
      </Panel>
    </SimpleGrid>
  );
}
