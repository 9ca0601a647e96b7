/** Redemption codes: page through them, make new ones (shown once), disable, enable and delete them. */
import { Button, Paper } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Page, Redemption } from '../../api/types.ts';
import { PageHeader, Pager, QueryView, usePaging } from '../../ui/page.tsx';
import { SecretModal } from '../../ui/secret-modal.tsx';
import { CreateModal } from './create-modal.tsx';
import { RedemptionsTable } from './redemptions-table.tsx';

export default function RedemptionsPage() {
  const { t } = useTranslation('redemptions');
  const paging = usePaging();
  const { page, pageSize } = paging;
  const [creating, setCreating] = useState(false);
  /** The codes just made: the API shows them this once. */
  const [codes, setCodes] = useState<string[]>([]);
  const [showCodes, setShowCodes] = useState(false);
  const redemptions = useQuery({
    queryKey: ['redemptions', { page, pageSize }],
    queryFn: () => api.get<Page<Redemption>>('/api/redemptions', { page, page_size: pageSize }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            {t('create')}
          </Button>
        }
      />
      <Paper withBorder radius="md" p={{ base: 'xs', sm: 'md' }}>
        <QueryView query={redemptions} isEmpty={(data) => data.items.length === 0} empty={t('empty')}>
          {(data) => <RedemptionsTable redemptions={data.items} />}
        </QueryView>
        {redemptions.data?.total ? <Pager {...paging} total={redemptions.data.total} /> : null}
      </Paper>
      <CreateModal
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={(made) => {
          setCreating(false);
          setCodes(made);
          setShowCodes(true);
        }}
      />
      <SecretModal
        opened={showCodes}
        onClose={() => setShowCodes(false)}
        title={t('shown.title', { count: codes.length })}
        secrets={codes}
        warning={t('shown.warning')}
      />
    </>
  );
}
