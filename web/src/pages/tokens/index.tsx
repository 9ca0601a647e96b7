/** API keys: the caller's own (admins: anyone's, filtered by user); made, changed and deleted here, a new key shown once. */
import { Button, EmptyState, Group, Paper, Skeleton, Stack } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconKey, IconPlus } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { NewToken, Page, Token } from '../../api/types.ts';
import { atLeast, useUser } from '../../auth.tsx';
import { PageHeader, Pager, QueryError, usePaging } from '../../ui/page.tsx';
import { UserSelect, useUserNames } from '../../ui/user-select.tsx';
import { NewKeyModal } from './new-key-modal.tsx';
import { TokenDrawer } from './token-drawer.tsx';
import { TokenTable } from './token-table.tsx';

export default function TokensPage() {
  const { t } = useTranslation('tokens');
  const isAdmin = atLeast(useUser(), 'admin');
  const owners = useUserNames(isAdmin);
  const paging = usePaging();
  const { page, pageSize } = paging;
  const [userId, setUserId] = useState<number | null>(null);
  const [drawerOpened, drawer] = useDisclosure(false);
  const [opened, setOpened] = useState<Token | null>(null);
  const [created, setCreated] = useState<NewToken | null>(null);
  const tokens = useQuery({
    queryKey: ['tokens', { page, pageSize, userId }],
    queryFn: () => api.get<Page<Token>>('/api/tokens', { page, page_size: pageSize, user_id: userId }),
    placeholderData: keepPreviousData,
  });
  const open = (token: Token | null) => {
    setOpened(token);
    drawer.open();
  };
  const createButton = (
    <Button leftSection={<IconPlus size={16} />} onClick={() => open(null)}>
      {t('create')}
    </Button>
  );

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} actions={createButton} />
      {isAdmin ? (
        <Group mb="md">
          <UserSelect
            label={t('filter.user')}
            placeholder={t('filter.allUsers')}
            clearable
            w={{ base: '100%', xs: 240 }}
            value={userId}
            onChange={(id) => {
              setUserId(id);
              paging.onPage(1);
            }}
          />
        </Group>
      ) : null}
      {tokens.isPending ? (
        <Stack gap="xs">
          {[0, 1, 2].map((row) => (
            <Skeleton key={row} h={56} />
          ))}
        </Stack>
      ) : tokens.isError ? (
        <QueryError error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : tokens.data.total === 0 ? (
        <Paper withBorder py="xl">
          <EmptyState
            icon={<IconKey size={28} />}
            withIndicatorBackground
            title={t('empty.title')}
            description={t('empty.description')}
          >
            <EmptyState.Actions>{createButton}</EmptyState.Actions>
          </EmptyState>
        </Paper>
      ) : (
        <>
          <Paper withBorder>
            <TokenTable tokens={tokens.data.items} owners={isAdmin ? owners : null} onOpen={open} />
          </Paper>
          <Pager {...paging} total={tokens.data.total} />
        </>
      )}
      <TokenDrawer opened={drawerOpened} token={opened} onClose={drawer.close} onCreated={setCreated} />
      <NewKeyModal token={created} onClose={() => setCreated(null)} />
    </>
  );
}
