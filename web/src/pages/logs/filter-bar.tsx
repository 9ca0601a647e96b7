/** The filters above the log list: time range, model, channel, key, user, status and request id; folded on phones. */
import { Box, Button, Collapse, Group, Paper, Select, TextInput } from '@mantine/core';
import { useDebouncedCallback, useDisclosure, useMediaQuery } from '@mantine/hooks';
import { IconAdjustmentsHorizontal, IconRestore, IconSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTimeInput } from '../../ui/date-time-input.tsx';
import { UserSelect } from '../../ui/user-select.tsx';
import { useLoggedNames, useTokenOptions } from './filter-options.ts';
import { activeCount, isPreset, type LogFilters, RANGES, type Range } from './filters.ts';

const ERROR_CODES = ['400', '401', '403', '404', '408', '413', '429', '500', '502', '503', '504'];
const DAY_MS = 86_400_000;
/** An input's width: the whole row on a phone, side by side from the `xs` breakpoint up. */
const FIELD_WIDTH = { base: '100%', xs: 200 } as const;
/** Wider: dates with times, and key names with their hints. */
const WIDE_FIELD_WIDTH = { base: '100%', xs: 250 } as const;

interface FilterBarProps {
  filters: LogFilters;
  isAdmin: boolean;
  onChange: (patch: Partial<LogFilters>) => void;
  onReset: () => void;
}

/** The request id box: typed freely, applied when the typing pauses. */
function RequestIdInput({ value, onChange }: { value: string; onChange: (requestId: string) => void }) {
  const { t } = useTranslation('logs');
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const apply = useDebouncedCallback(onChange, 500);
  return (
    <TextInput
      label={t('filter.requestId')}
      placeholder={t('filter.requestIdPlaceholder')}
      leftSection={<IconSearch size={16} />}
      w={WIDE_FIELD_WIDTH}
      value={text}
      onChange={(event) => {
        setText(event.currentTarget.value);
        apply(event.currentTarget.value);
      }}
    />
  );
}

export function FilterBar({ filters, isAdmin, onChange, onReset }: FilterBarProps) {
  const { t } = useTranslation(['logs', 'common']);
  const wide = useMediaQuery('(min-width: 36em)', true, { getInitialValueInEffect: false });
  const [unfolded, fold] = useDisclosure(false);
  const models = useLoggedNames('model');
  const channels = useLoggedNames('channel', isAdmin);
  const tokens = useTokenOptions(filters.userId, filters.tokenId);
  const active = activeCount(filters);

  const ranges = [
    { value: 'all', label: t('filter.allTime') },
    { value: '1h', label: t('common:time.lastHour') },
    { value: '24h', label: t('common:time.last24h') },
    { value: '7d', label: t('common:time.last7d') },
    { value: '30d', label: t('common:time.last30d') },
    { value: 'custom', label: t('common:time.custom') },
  ];
  // A code from the URL that the list lacks (418, say) is offered too, so the box shows what is applied.
  const codes =
    typeof filters.status === 'number' && ![200, ...ERROR_CODES.map(Number)].includes(filters.status)
      ? [...ERROR_CODES, String(filters.status)]
      : ERROR_CODES;
  const statuses = [
    { value: '200', label: t('filter.success') },
    { value: 'errors', label: t('filter.errors') },
    { group: t('filter.codes'), items: codes },
  ];
  const setRange = (value: string | null) => {
    const range: Range = value === 'custom' || isPreset(value) ? value : 'all';
    // A custom range starts as the preset it replaces (or the last day), to be adjusted from there.
    const span = isPreset(filters.range) ? RANGES[filters.range] : DAY_MS;
    onChange(range === 'custom' ? { range, from: Date.now() - span, to: null } : { range, from: null, to: null });
  };

  const fields = (
    <Group gap="sm" align="flex-end">
      <Select
        label={t('filter.time')}
        data={ranges}
        value={filters.range}
        onChange={setRange}
        allowDeselect={false}
        w={FIELD_WIDTH}
      />
      {filters.range === 'custom' ? (
        <>
          <DateTimeInput
            label={t('common:time.from')}
            value={filters.from}
            onChange={(from) => onChange({ from })}
            w={WIDE_FIELD_WIDTH}
          />
          <DateTimeInput
            label={t('common:time.to')}
            value={filters.to}
            onChange={(to) => onChange({ to })}
            w={WIDE_FIELD_WIDTH}
          />
        </>
      ) : null}
      <Select
        label={t('filter.model')}
        placeholder={t('filter.allModels')}
        data={filters.model && !models.includes(filters.model) ? [...models, filters.model] : models}
        value={filters.model}
        onChange={(model) => onChange({ model })}
        searchable
        clearable
        w={FIELD_WIDTH}
      />
      {isAdmin ? (
        <Select
          label={t('filter.channel')}
          placeholder={t('filter.allChannels')}
          data={filters.channel && !channels.includes(filters.channel) ? [...channels, filters.channel] : channels}
          value={filters.channel}
          onChange={(channel) => onChange({ channel })}
          searchable
          clearable
          w={FIELD_WIDTH}
        />
      ) : null}
      <Select
        label={t('filter.token')}
        placeholder={t('filter.allTokens')}
        data={tokens}
        value={filters.tokenId === null ? null : String(filters.tokenId)}
        onChange={(id) => onChange({ tokenId: id ? Number(id) : null })}
        searchable
        clearable
        w={WIDE_FIELD_WIDTH}
      />
      {isAdmin ? (
        <UserSelect
          label={t('filter.user')}
          placeholder={t('filter.allUsers')}
          clearable
          value={filters.userId}
          onChange={(userId) => onChange({ userId })}
          w={FIELD_WIDTH}
        />
      ) : null}
      <Select
        label={t('filter.status')}
        placeholder={t('filter.anyStatus')}
        data={statuses}
        value={filters.status === null ? null : String(filters.status)}
        onChange={(v) => onChange({ status: v === 'errors' ? 'errors' : v ? Number(v) : null })}
        clearable
        w={FIELD_WIDTH}
      />
      <RequestIdInput value={filters.requestId} onChange={(requestId) => onChange({ requestId })} />
      <Button
        variant="subtle"
        color="gray"
        leftSection={<IconRestore size={16} />}
        onClick={onReset}
        disabled={active === 0}
      >
        {t('common:action.reset')}
      </Button>
    </Group>
  );

  return (
    <Paper withBorder p="sm" mb="md" data-testid="log-filters">
      {wide ? (
        fields
      ) : (
        <>
          <Button
            variant="light"
            fullWidth
            leftSection={<IconAdjustmentsHorizontal size={16} />}
            onClick={fold.toggle}
            aria-expanded={unfolded}
          >
            {active ? t('filter.toggleActive', { count: active }) : t('filter.toggle')}
          </Button>
          <Collapse expanded={unfolded}>
            <Box pt="sm">{fields}</Box>
          </Collapse>
        </>
      )}
    </Paper>
  );
}
