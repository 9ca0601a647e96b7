/** Prices: every priced model (everyone reads them), with search and a source filter; admins set and reset them. */
import { Alert, Button, Group, List, Paper, SegmentedControl, TextInput } from '@mantine/core';
import { IconInfoCircle, IconPlus, IconSearch } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Price } from '../../api/types.ts';
import { atLeast, useUser } from '../../auth.tsx';
import { PageHeader, QueryView } from '../../ui/page.tsx';
import { PriceModal } from './price-modal.tsx';
import { PricesTable } from './prices-table.tsx';

type SourceFilter = 'all' | Price['source'];
const SOURCES: SourceFilter[] = ['all', 'database', 'config', 'builtin'];

export default function PricesPage() {
  const { t } = useTranslation('prices');
  const canEdit = atLeast(useUser(), 'admin');
  const [search, setSearch] = useState('');
  const [source, setSource] = useState<SourceFilter>('all');
  /** The price in the dialog: null while setting a new model's, undefined when it is closed. */
  const [editing, setEditing] = useState<Price | null | undefined>(undefined);
  const prices = useQuery({ queryKey: ['prices'], queryFn: () => api.get<Price[]>('/api/prices') });
  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (prices.data ?? []).filter(
      (p) => (source === 'all' || p.source === source) && (!needle || p.model.toLowerCase().includes(needle)),
    );
  }, [prices.data, search, source]);
  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={
          canEdit ? (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing(null)}>
              {t('setPrice')}
            </Button>
          ) : undefined
        }
      />
      <Alert variant="light" color="blue" icon={<IconInfoCircle size={18} />} title={t('explain.title')} mb="md">
        <List size="sm" spacing={4}>
          <List.Item>{t('explain.unit')}</List.Item>
          <List.Item>{t('explain.lookup')}</List.Item>
          <List.Item>{t('explain.order')}</List.Item>
        </List>
      </Alert>
      <Group mb="md" gap="sm" align="center">
        <TextInput
          leftSection={<IconSearch size={16} />}
          placeholder={t('search')}
          aria-label={t('search')}
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          style={{ flex: '1 1 220px' }}
          maw={360}
        />
        <SegmentedControl
          aria-label={t('sourceFilter')}
          value={source}
          onChange={(value) => setSource(SOURCES.find((s) => s === value) ?? 'all')}
          data={SOURCES.map((s) => ({ value: s, label: t(`source.${s}`) }))}
        />
      </Group>
      <Paper withBorder radius="md" p={{ base: 'xs', sm: 'md' }}>
        <QueryView query={prices} isEmpty={() => shown.length === 0} empty={t('empty')} height={320}>
          {() => <PricesTable prices={shown} onEdit={canEdit ? setEditing : null} />}
        </QueryView>
      </Paper>
      {canEdit ? <PriceModal price={editing} onClose={() => setEditing(undefined)} /> : null}
    </>
  );
}
