/** The channels page: every upstream the gateway routes to, its health, and the forms to add, change and test them. */
import { Button, Center, Paper, Skeleton, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus, IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel } from '../../api/types.ts';
import { PageHeader, Pager, QueryError, usePaging } from '../../ui/page.tsx';
import { useChannelActions } from './actions.ts';
import { ChannelDrawer, type DrawerTarget } from './channel-drawer.tsx';
import { ChannelTable } from './channel-table.tsx';
import { BulkBar, type ChannelFilter, Filters, matches, NO_FILTER } from './list-toolbar.tsx';
import { useChannels } from './queries.ts';

export default function ChannelsPage() {
  const { t } = useTranslation(['channels', 'common']);
  const channels = useChannels();
  const actions = useChannelActions();
  const [filter, setFilter] = useState<ChannelFilter>(NO_FILTER);
  const paging = usePaging();
  const { page, pageSize } = paging;
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [opened, drawer] = useDisclosure(false);
  const [target, setTarget] = useState<DrawerTarget>({ channel: null, key: 0 });
  // Only a refresh asked for spins the button, not the background one every 30 s.
  const [refreshing, setRefreshing] = useState(false);

  const openDrawer = (channel: Channel | null) => {
    setTarget((current) => ({ channel, key: current.key + 1 }));
    drawer.open();
  };
  const select = (ids: string[], on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      for (const id of ids)
        if (on) next.add(id);
        else next.delete(id);
      return next;
    });

  const all = channels.data ?? [];
  const shown = all.filter((c) => matches(c, filter));
  const pageItems = shown.slice((page - 1) * pageSize, page * pageSize);
  const chosen = all.filter((c) => selected.has(c.id));
  const types = [...new Set(all.map((c) => c.type))].sort();

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={
          <>
            <Button
              variant="default"
              leftSection={<IconRefresh size={16} />}
              loading={refreshing}
              onClick={() => {
                setRefreshing(true);
                void channels.refetch().finally(() => setRefreshing(false));
              }}
            >
              {t('common:action.refresh')}
            </Button>
            <Button leftSection={<IconPlus size={16} />} onClick={() => openDrawer(null)}>
              {t('create')}
            </Button>
          </>
        }
      />
      <Filters
        filter={filter}
        types={types}
        onChange={(next) => {
          setFilter(next);
          paging.onPage(1);
        }}
      />
      {chosen.length ? (
        <BulkBar
          selected={chosen}
          onRun={async (action, list) => {
            await actions.bulk(action, list);
            if (action === 'delete') setSelected(new Set());
          }}
          onClear={() => setSelected(new Set())}
        />
      ) : null}
      {channels.isError ? <QueryError error={channels.error} onRetry={() => void channels.refetch()} /> : null}
      {channels.isPending ? (
        <Stack gap="xs">
          {['a', 'b', 'c', 'd'].map((k) => (
            <Skeleton key={k} h={52} />
          ))}
        </Stack>
      ) : channels.isSuccess && !shown.length ? (
        <Paper withBorder radius="md" p="xl">
          <Center>
            <Stack gap="xs" align="center">
              <Text c="dimmed">{all.length ? t('list.noMatch') : t('list.empty')}</Text>
              {all.length ? (
                <Button variant="subtle" onClick={() => setFilter(NO_FILTER)}>
                  {t('filter.clear')}
                </Button>
              ) : (
                <Button leftSection={<IconPlus size={16} />} onClick={() => openDrawer(null)}>
                  {t('create')}
                </Button>
              )}
            </Stack>
          </Center>
        </Paper>
      ) : channels.isSuccess ? (
        <>
          <Paper withBorder radius="md">
            <ChannelTable
              channels={pageItems}
              selected={selected}
              onSelect={select}
              actions={actions}
              onEdit={openDrawer}
            />
          </Paper>
          {shown.length > 10 ? <Pager {...paging} total={shown.length} /> : null}
        </>
      ) : null}
      <ChannelDrawer opened={opened} target={target} onClose={drawer.close} />
    </>
  );
}
