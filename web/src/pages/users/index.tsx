/** Users: search and page through accounts, make and change them, top up their balances. */
import { Button, Paper, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Page, User } from '../../api/types.ts';
import { PageHeader, Pager, QueryView, usePaging } from '../../ui/page.tsx';
import { TopupModal } from './topup-modal.tsx';
import { UserDrawer } from './user-drawer.tsx';
import { UsersTable } from './users-table.tsx';

export default function UsersPage() {
  const { t } = useTranslation(['users', 'common']);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const paging = usePaging();
  const { page, pageSize } = paging;
  /** The user in the drawer: null while making one, undefined when it is closed. */
  const [editing, setEditing] = useState<User | null | undefined>(undefined);
  const [toppingUp, setToppingUp] = useState<User | null>(null);
  const users = useQuery({
    queryKey: ['users', { q, page, pageSize }],
    queryFn: () => api.get<Page<User>>('/api/users', { q, page, page_size: pageSize }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing(null)}>
            {t('create')}
          </Button>
        }
      />
      <TextInput
        leftSection={<IconSearch size={16} />}
        placeholder={t('search')}
        aria-label={t('search')}
        value={search}
        onChange={(event) => {
          setSearch(event.currentTarget.value);
          paging.onPage(1);
        }}
        maw={360}
        mb="md"
      />
      <Paper withBorder radius="md" p={{ base: 'xs', sm: 'md' }}>
        <QueryView query={users} isEmpty={(data) => data.items.length === 0} empty={t('empty')}>
          {(data) => <UsersTable users={data.items} onEdit={setEditing} onTopup={setToppingUp} />}
        </QueryView>
        {users.data ? <Pager {...paging} total={users.data.total} /> : null}
      </Paper>
      <UserDrawer user={editing} onClose={() => setEditing(undefined)} />
      <TopupModal user={toppingUp} onClose={() => setToppingUp(null)} />
    </>
  );
}
