/** Usage logs: every request the caller may see (admins: everyone's), filtered from the URL, with each one's details. */
import { ActionIcon, Button, EmptyState, Paper, Skeleton, Stack, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconDownload, IconListSearch, IconRefresh } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { api, withQuery } from '../../api/client.ts';
import type { Page, UsageLog } from '../../api/types.ts';
import { atLeast, useUser } from '../../auth.tsx';
import { PageHeader, Pager, QueryError } from '../../ui/page.tsx';
import { useUserNames } from '../../ui/user-select.tsx';
import { FilterBar } from './filter-bar.tsx';
import { activeCount, apiQuery, type LogFilters, type LogView, NO_FILTERS, searchOf, viewOf } from './filters.ts';
import { LogDetail } from './log-detail.tsx';
import { LogTable } from './log-table.tsx';

export default function LogsPage() {
  const { t } = useTranslation(['logs', 'common']);
  const isAdmin = atLeast(useUser(), 'admin');
  const users = useUserNames(isAdmin);
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const view = viewOf(params);
  const { filters, page, pageSize } = view;
  const [detailOpened, detail] = useDisclosure(false);
  const [shown, setShown] = useState<UsageLog | null>(null);

  const logs = useQuery({
    queryKey: ['logs', 'list', view],
    // A preset range counts back from the moment of each fetch (a refresh moves it along).
    queryFn: () =>
      api.get<Page<UsageLog>>('/api/logs', { ...apiQuery(filters, Date.now()), page, page_size: pageSize }),
    placeholderData: keepPreviousData,
  });

  // Filters replace the history entry: Back leaves the page rather than stepping through every choice.
  const go = (next: LogView) => void navigate({ search: withQuery('', searchOf(next)) }, { replace: true });
  const setFilters = (patch: Partial<LogFilters>) => go({ filters: { ...filters, ...patch }, page: 1, pageSize });
  const open = (log: UsageLog) => {
    setShown(log);
    detail.open();
  };
  const exportHref = withQuery('/api/logs/export', apiQuery(filters, Date.now()));

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={
          <>
            <Tooltip label={t('common:action.refresh')}>
              <ActionIcon
                variant="default"
                size="lg"
                aria-label={t('common:action.refresh')}
                loading={logs.isFetching}
                onClick={() => void logs.refetch()}
              >
                <IconRefresh size={18} />
              </ActionIcon>
            </Tooltip>
            <Button component="a" href={exportHref} download variant="default" leftSection={<IconDownload size={16} />}>
              {t('common:action.export')}
            </Button>
          </>
        }
      />
      <FilterBar
        filters={filters}
        isAdmin={isAdmin}
        onChange={setFilters}
        onReset={() => go({ filters: NO_FILTERS, page: 1, pageSize })}
      />
      {logs.isPending ? (
        <Stack gap="xs">
          {[0, 1, 2, 3, 4].map((row) => (
            <Skeleton key={row} h={44} />
          ))}
        </Stack>
      ) : logs.isError ? (
        <QueryError error={logs.error} onRetry={() => void logs.refetch()} />
      ) : logs.data.total === 0 ? (
        <Paper withBorder py="xl">
          <EmptyState
            icon={<IconListSearch size={28} />}
            withIndicatorBackground
            title={t('empty.title')}
            description={activeCount(filters) ? t('empty.filtered') : t('empty.none')}
          />
        </Paper>
      ) : (
        <>
          <Paper withBorder>
            <LogTable logs={logs.data.items} users={isAdmin ? users : null} onOpen={open} />
          </Paper>
          <Pager
            page={page}
            pageSize={pageSize}
            total={logs.data.total}
            onPage={(next) => go({ filters, page: next, pageSize })}
            onPageSize={(size) => go({ filters, page: 1, pageSize: size })}
          />
        </>
      )}
      <LogDetail
        opened={detailOpened}
        log={shown}
        users={isAdmin ? users : null}
        onOpen={open}
        onClose={detail.close}
      />
    </>
  );
}
