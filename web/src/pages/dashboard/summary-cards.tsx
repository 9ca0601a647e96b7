/** The range at a glance: requests, error rate, tokens, cost, latency, and a user's own balance. */
import { Group, Paper, SimpleGrid, Skeleton, Text, ThemeIcon } from '@mantine/core';
import {
  IconAlertTriangle,
  IconArrowsExchange,
  IconClockHour4,
  IconCoin,
  IconTextSize,
  IconWallet,
} from '@tabler/icons-react';
import type { ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import type { Totals, User } from '../../api/types.ts';
import { compact, count, duration, percent, usd } from '../../ui/format.ts';
import type { RangeWindow } from './range.ts';

interface StatCardProps {
  label: string;
  value: string;
  detail: string;
  icon: ComponentType<{ size?: number; stroke?: number }>;
  color: string;
  testId: string;
}

function StatCard({ label, value, detail, icon: Icon, color, testId }: StatCardProps) {
  return (
    <Paper withBorder radius="md" p="md" data-testid={testId}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
        <Text size="xs" c="dimmed" fw={600} tt="uppercase" lineClamp={1}>
          {label}
        </Text>
        <ThemeIcon variant="light" color={color} size={28} radius="md">
          <Icon size={16} stroke={1.8} />
        </ThemeIcon>
      </Group>
      <Text fz={26} fw={650} lh={1.2} mt={4} style={{ fontVariantNumeric: 'tabular-nums' }}>
        {value}
      </Text>
      <Text size="xs" c="dimmed" mt={4} lineClamp={2}>
        {detail}
      </Text>
    </Paper>
  );
}

/** One column on a phone; all cards in one row on a wide screen (six only from xl, five already from lg). */
const cols = (cards: number) => ({ base: 1, xs: 2, md: 3, lg: cards > 5 ? 3 : cards, xl: cards });

function CardSkeletons({ cards }: { cards: number }) {
  return (
    <SimpleGrid cols={cols(cards)}>
      {Array.from({ length: cards }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders without identity
        <Skeleton key={i} h={112} radius="md" />
      ))}
    </SimpleGrid>
  );
}

export function SummaryCards({
  summary,
  window,
  balanceOf,
}: {
  summary: Totals | undefined;
  window: RangeWindow | undefined;
  /** A user's own account, for the balance card; null for admins (whose view spans users). */
  balanceOf: User | null;
}) {
  const { t } = useTranslation(['dashboard', 'common']);
  const cards = balanceOf ? 6 : 5;
  if (!summary || !window) return <CardSkeletons cards={cards} />;
  const minutes = Math.max(1, (Math.min(window.now, window.to) - window.from) / 60_000);
  const tokens = summary.prompt_tokens + summary.completion_tokens;
  const errorRate = summary.requests ? summary.errors / summary.requests : null;
  return (
    <SimpleGrid cols={cols(cards)} data-testid="summary-cards">
      <StatCard
        testId="card-requests"
        label={t('cards.requests')}
        value={count(summary.requests)}
        detail={t('cards.requestsDetail', { rate: compact(summary.requests / minutes) })}
        icon={IconArrowsExchange}
        color="indigo"
      />
      <StatCard
        testId="card-error-rate"
        label={t('cards.errorRate')}
        value={percent(errorRate)}
        detail={t('cards.errorsDetail', { errors: count(summary.errors) })}
        icon={IconAlertTriangle}
        color={errorRate !== null && errorRate >= 0.05 ? 'red' : 'orange'}
      />
      <StatCard
        testId="card-tokens"
        label={t('cards.tokens')}
        value={compact(tokens)}
        detail={t('cards.tokensDetail', {
          prompt: compact(summary.prompt_tokens),
          completion: compact(summary.completion_tokens),
          cached: compact(summary.cached_tokens),
        })}
        icon={IconTextSize}
        color="teal"
      />
      <StatCard
        testId="card-cost"
        label={t('cards.cost')}
        value={usd(summary.cost_usd)}
        detail={t('cards.costDetail', { cost: usd(summary.requests ? summary.cost_usd / summary.requests : 0) })}
        icon={IconCoin}
        color="yellow"
      />
      <StatCard
        testId="card-latency"
        label={t('cards.latency')}
        value={duration(summary.avg_latency_ms)}
        detail={
          summary.avg_ttft_ms === null
            ? t('cards.noStreams')
            : t('cards.latencyDetail', { ttft: duration(summary.avg_ttft_ms) })
        }
        icon={IconClockHour4}
        color="grape"
      />
      {balanceOf ? (
        <StatCard
          testId="card-balance"
          label={t('cards.balance')}
          value={balanceOf.quota_usd === null ? t('common:state.unlimited') : usd(balanceOf.quota_usd)}
          detail={t('cards.balanceDetail', { used: usd(balanceOf.used_usd) })}
          icon={IconWallet}
          color="cyan"
        />
      ) : null}
    </SimpleGrid>
  );
}
