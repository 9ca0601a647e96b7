/** The pieces every page is made of: its header, a failed query's message, status badges and a pager. */
import {
  Alert,
  Badge,
  Button,
  Center,
  Group,
  Loader,
  Pagination,
  Select,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { UseQueryResult } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from './notify.ts';

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <Group justify="space-between" align="flex-end" mb="lg" gap="sm">
      <Stack gap={4}>
        <Title order={2}>{title}</Title>
        {description ? (
          <Text c="dimmed" size="sm">
            {description}
          </Text>
        ) : null}
      </Stack>
      {actions ? <Group gap="xs">{actions}</Group> : null}
    </Group>
  );
}

/** A query that failed: the API's message and a retry. */
export function QueryError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert color="red" icon={<IconAlertTriangle size={18} />} title={t('error.title')} my="md">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{errorText(error)}</Text>
        {onRetry ? (
          <Button size="xs" variant="light" color="red" onClick={onRetry}>
            {t('error.retry')}
          </Button>
        ) : null}
      </Stack>
    </Alert>
  );
}

const STATUS_COLOR: Record<string, string> = {
  enabled: 'teal',
  disabled: 'gray',
  auto_disabled: 'red',
  unused: 'blue',
  used: 'gray',
};

export function StatusBadge({ status }: { status: 'enabled' | 'disabled' | 'auto_disabled' }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATUS_COLOR[status] ?? 'gray'} variant="light">
      {t(`state.${status}`)}
    </Badge>
  );
}

export const PAGE_SIZES = ['10', '20', '50', '100'];

/** A list's page and page size, as the Pager takes them; a new page size starts again at the first page. */
export function usePaging(initialSize = 20) {
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(initialSize);
  return {
    page,
    pageSize,
    onPage: setPage,
    onPageSize: (size: number) => {
      setPageSize(size);
      setPage(1);
    },
  };
}

/** Pages of a list: where we are, how many in all, and how many per page. */
export function Pager({
  page,
  pageSize,
  total,
  onPage,
  onPageSize,
}: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
  onPageSize?: (size: number) => void;
}) {
  const { t } = useTranslation();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <Group justify="space-between" mt="md" gap="sm">
      <Text size="sm" c="dimmed">
        {t('paging.total', { count: total })}
      </Text>
      <Group gap="sm">
        {onPageSize ? (
          <Select
            aria-label={t('paging.pageSize')}
            size="xs"
            w={80}
            data={PAGE_SIZES}
            value={String(pageSize)}
            onChange={(v) => v && onPageSize(Number(v))}
            allowDeselect={false}
          />
        ) : null}
        <Pagination size="sm" total={pages} value={Math.min(page, pages)} onChange={onPage} siblings={1} />
      </Group>
    </Group>
  );
}

/** What a page shows while its code or first data loads. */
export function PageLoader() {
  return (
    <Center py="xl">
      <Loader />
    </Center>
  );
}

/**
 * A list's body from its query: a skeleton while it loads, the error with a retry, the empty text when there is
 * nothing to show, else what `children` makes of the data.
 */
export function QueryView<T>({
  query,
  isEmpty,
  empty,
  height = 240,
  children,
}: {
  query: UseQueryResult<T>;
  isEmpty: (data: T) => boolean;
  empty: string;
  height?: number;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Skeleton h={height} />;
  if (query.isError) return <QueryError error={query.error} onRetry={() => void query.refetch()} />;
  if (isEmpty(query.data))
    return (
      <Text c="dimmed" ta="center" py="xl">
        {empty}
      </Text>
    );
  return children(query.data);
}
