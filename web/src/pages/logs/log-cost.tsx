/** What one request cost, as the cost API answers it: USD and quota units, prompt and completion tokens. */
import { Paper, SimpleGrid, Skeleton, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { RequestCost } from '../../api/types.ts';
import { count, usd } from '../../ui/format.ts';
import { QueryError } from '../../ui/page.tsx';

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600}>{value}</Text>
    </Stack>
  );
}

export function LogCost({ requestId }: { requestId: string }) {
  const { t } = useTranslation('logs');
  const cost = useQuery({
    queryKey: ['cost', requestId],
    queryFn: () => api.get<RequestCost>(`/api/cost/request/${encodeURIComponent(requestId)}`),
    staleTime: Number.POSITIVE_INFINITY, // a logged request's cost does not change
  });
  return (
    <Paper withBorder p="md" data-testid="log-cost">
      <Text fw={600} mb="xs">
        {t('detail.cost')}
      </Text>
      {cost.isPending ? (
        <Skeleton h={44} />
      ) : cost.isError ? (
        <QueryError error={cost.error} onRetry={() => void cost.refetch()} />
      ) : (
        <SimpleGrid cols={{ base: 2, xs: 4 }} spacing="sm">
          <Figure label={t('detail.costUsd')} value={usd(cost.data.cost_usd)} />
          <Figure label={t('detail.quota')} value={count(cost.data.quota)} />
          <Figure label={t('detail.promptTokens')} value={count(cost.data.prompt_tokens)} />
          <Figure label={t('detail.completionTokens')} value={count(cost.data.completion_tokens)} />
        </SimpleGrid>
      )}
    </Paper>
  );
}
