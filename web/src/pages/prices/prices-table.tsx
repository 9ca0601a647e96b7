/** The price list: per model, USD per 1M tokens of each kind, and where the price comes from. */
import { ActionIcon, Badge, Group, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconArrowBackUp, IconEdit } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Price } from '../../api/types.ts';
import { confirmAction } from '../../ui/confirm.ts';
import { usd } from '../../ui/format.ts';
import { notifyError, notifySuccess } from '../../ui/notify.ts';

const SOURCE_COLOR: Record<Price['source'], string> = { database: 'teal', config: 'blue', builtin: 'gray' };

export function SourceBadge({ source }: { source: Price['source'] }) {
  const { t } = useTranslation('prices');
  return (
    <Tooltip label={t(`sourceHint.${source}`)}>
      <Badge variant="light" color={SOURCE_COLOR[source]}>
        {t(`source.${source}`)}
      </Badge>
    </Tooltip>
  );
}

/** A cached-input or cache-write price; not set means the input price applies. */
function OptionalPrice({ value }: { value: number | null }) {
  const { t } = useTranslation('prices');
  if (value !== null) return <Text size="sm">{usd(value)}</Text>;
  return (
    <Tooltip label={t('sameAsInputHint')}>
      <Text size="sm" c="dimmed">
        {t('sameAsInput')}
      </Text>
    </Tooltip>
  );
}

function PriceActions({ price, onEdit }: { price: Price; onEdit: (price: Price) => void }) {
  const { t } = useTranslation(['prices', 'common']);
  const queryClient = useQueryClient();
  const reset = useMutation({
    mutationFn: () => api.delete(`/api/prices/${encodeURIComponent(price.model)}`),
    onSuccess: () => {
      notifySuccess(t('reset.done', { model: price.model }));
      void queryClient.invalidateQueries({ queryKey: ['prices'] });
    },
    onError: notifyError,
  });
  const confirmReset = () =>
    confirmAction({
      title: t('reset.title'),
      message: t('reset.body', { model: price.model }),
      confirmLabel: t('reset.confirm'),
      onConfirm: () => reset.mutate(),
    });
  return (
    <Group gap={4} justify="flex-end" wrap="nowrap">
      <Tooltip label={t('action.edit', { model: price.model })}>
        <ActionIcon
          variant="subtle"
          color="gray"
          aria-label={t('action.edit', { model: price.model })}
          onClick={() => onEdit(price)}
        >
          <IconEdit size={16} />
        </ActionIcon>
      </Tooltip>
      {price.source === 'database' ? (
        <Tooltip label={t('action.reset', { model: price.model })}>
          <ActionIcon
            variant="subtle"
            color="orange"
            aria-label={t('action.reset', { model: price.model })}
            loading={reset.isPending}
            onClick={confirmReset}
          >
            <IconArrowBackUp size={16} />
          </ActionIcon>
        </Tooltip>
      ) : null}
    </Group>
  );
}

export function PricesTable({ prices, onEdit }: { prices: Price[]; onEdit: ((price: Price) => void) | null }) {
  const { t } = useTranslation('prices');
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing="xs" highlightOnHover striped data-testid="prices-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('column.model')}</Table.Th>
            <Table.Th ta="right">{t('column.input')}</Table.Th>
            <Table.Th ta="right">{t('column.output')}</Table.Th>
            <Table.Th ta="right">{t('column.cachedInput')}</Table.Th>
            <Table.Th ta="right">{t('column.cacheWrite')}</Table.Th>
            <Table.Th>{t('column.source')}</Table.Th>
            {onEdit ? (
              <Table.Th w={88}>
                <VisuallyHidden>{t('column.actions')}</VisuallyHidden>
              </Table.Th>
            ) : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {prices.map((price) => (
            <Table.Tr key={price.model} data-testid={`price-row-${price.model}`}>
              <Table.Td>
                <Text size="sm" ff="monospace" fw={500}>
                  {price.model}
                </Text>
              </Table.Td>
              <Table.Td ta="right">
                <Text size="sm">{usd(price.input)}</Text>
              </Table.Td>
              <Table.Td ta="right">
                <Text size="sm">{usd(price.output)}</Text>
              </Table.Td>
              <Table.Td ta="right">
                <OptionalPrice value={price.cached_input} />
              </Table.Td>
              <Table.Td ta="right">
                <OptionalPrice value={price.cache_write} />
              </Table.Td>
              <Table.Td>
                <SourceBadge source={price.source} />
              </Table.Td>
              {onEdit ? (
                <Table.Td>
                  <PriceActions price={price} onEdit={onEdit} />
                </Table.Td>
              ) : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
