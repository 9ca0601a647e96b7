/** "Fetch models": asks the upstream for its model list and lets the admin tick the ones the channel should serve. */
import { Badge, Button, Checkbox, Group, Modal, ScrollArea, Stack, Text, TextInput } from '@mantine/core';
import { IconCloudDownload, IconSearch } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { notifyError } from '../../ui/notify.ts';
import { channelApi } from './queries.ts';

function ModelPicker({
  upstream,
  current,
  onAdd,
  onClose,
}: {
  upstream: string[];
  current: string[];
  onAdd: (models: string[]) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation(['channels', 'common']);
  const [search, setSearch] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const needle = search.trim().toLowerCase();
  const shown = upstream.filter((m) => m.toLowerCase().includes(needle));
  const addable = shown.filter((m) => !current.includes(m));
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        {t('fetch.found', { count: upstream.length })}
      </Text>
      <TextInput
        aria-label={t('fetch.filter')}
        placeholder={t('fetch.filter')}
        leftSection={<IconSearch size={16} />}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        data-autofocus
      />
      <Group gap="xs">
        <Button
          size="compact-xs"
          variant="subtle"
          onClick={() => setPicked([...new Set([...picked, ...addable])])}
          disabled={!addable.length}
        >
          {t('fetch.selectShown')}
        </Button>
        <Button size="compact-xs" variant="subtle" color="gray" onClick={() => setPicked([])} disabled={!picked.length}>
          {t('fetch.selectNone')}
        </Button>
      </Group>
      <ScrollArea.Autosize mah="50vh" type="auto" offsetScrollbars>
        <Checkbox.Group
          value={[...picked, ...current]}
          onChange={(v) => setPicked(v.filter((m) => !current.includes(m)))}
        >
          <Stack gap={6} data-testid="upstream-models">
            {shown.map((model) => (
              <Group key={model} gap="xs" wrap="nowrap">
                <Checkbox value={model} label={model} disabled={current.includes(model)} />
                {current.includes(model) ? (
                  <Badge size="xs" variant="light" color="gray">
                    {t('fetch.already')}
                  </Badge>
                ) : null}
              </Group>
            ))}
            {shown.length ? null : (
              <Text size="sm" c="dimmed">
                {t('fetch.noMatch')}
              </Text>
            )}
          </Stack>
        </Checkbox.Group>
      </ScrollArea.Autosize>
      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={onClose}>
          {t('common:action.cancel')}
        </Button>
        <Button disabled={!picked.length} onClick={() => onAdd(picked)}>
          {t('fetch.add', { count: picked.length })}
        </Button>
      </Group>
    </Stack>
  );
}

export function FetchModels({
  request,
  current,
  onFetched,
  onAdd,
}: {
  /** The body for POST /api/channels/upstream-models, from what the form holds now. */
  request: () => object;
  current: string[];
  /** The upstream's models, to suggest while typing model names too. */
  onFetched: (models: string[]) => void;
  onAdd: (models: string[]) => void;
}) {
  const { t } = useTranslation(['channels', 'common']);
  const [upstream, setUpstream] = useState<string[] | null>(null);
  const fetchModels = useMutation({
    mutationFn: () => channelApi.upstreamModels(request()),
    onSuccess: ({ models }) => {
      onFetched(models);
      setUpstream(models);
    },
    onError: notifyError,
  });
  return (
    <>
      <Button
        size="compact-sm"
        variant="light"
        leftSection={<IconCloudDownload size={14} />}
        loading={fetchModels.isPending}
        onClick={() => fetchModels.mutate()}
      >
        {t('fetch.button')}
      </Button>
      <Modal opened={upstream !== null} onClose={() => setUpstream(null)} title={t('fetch.title')} size="md">
        {upstream ? (
          <ModelPicker
            upstream={upstream}
            current={current}
            onClose={() => setUpstream(null)}
            onAdd={(models) => {
              onAdd(models);
              setUpstream(null);
            }}
          />
        ) : null}
      </Modal>
    </>
  );
}
