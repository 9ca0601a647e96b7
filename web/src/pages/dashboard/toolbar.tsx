/** The dashboard's controls: time range, breakdown, an admin's user filter, refresh and auto-refresh. */
import { ActionIcon, Group, Select, Switch, Tooltip } from '@mantine/core';
import { IconCalendar, IconChartBar, IconRefresh, IconUser } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { UserSelect } from '../../ui/user-select.tsx';
import { breakdownsFor, type DashboardFilters } from './filters.ts';
import { RANGES, rangeLabel } from './range.ts';

/** Two selects a row on a phone (the user filter shares its row with the refresh controls), one row beyond. */
const SELECT_WIDTH = { base: 'calc(50% - var(--mantine-spacing-xs) / 2)', sm: 170 };

export function Toolbar({
  filters,
  onChange,
  admin,
  autoRefresh,
  onAutoRefresh,
  refreshing,
  onRefresh,
}: {
  filters: DashboardFilters;
  onChange: (patch: Partial<DashboardFilters>) => void;
  /** Admins may look at one user; users see only their own usage. */
  admin: boolean;
  autoRefresh: boolean;
  onAutoRefresh: (on: boolean) => void;
  refreshing: boolean;
  onRefresh: () => void;
}) {
  const { t } = useTranslation(['dashboard', 'common']);
  return (
    <Group gap="xs" wrap="wrap" data-testid="dashboard-toolbar">
      <Select
        aria-label={t('toolbar.range')}
        leftSection={<IconCalendar size={16} />}
        data={RANGES.map((range) => ({ value: range, label: t(rangeLabel(range)) }))}
        value={filters.range}
        onChange={(value) => {
          const range = RANGES.find((r) => r === value);
          if (range) onChange({ range });
        }}
        allowDeselect={false}
        w={SELECT_WIDTH}
      />
      <Select
        aria-label={t('toolbar.breakdown')}
        leftSection={<IconChartBar size={16} />}
        data={breakdownsFor(admin).map((b) => ({ value: b, label: t(`breakdown.${b}`) }))}
        value={filters.breakdown}
        onChange={(value) => {
          const breakdown = breakdownsFor(admin).find((b) => b === value);
          if (breakdown) onChange({ breakdown });
        }}
        allowDeselect={false}
        w={SELECT_WIDTH}
      />
      {admin ? (
        <UserSelect
          aria-label={t('toolbar.user')}
          placeholder={t('toolbar.allUsers')}
          leftSection={<IconUser size={16} />}
          value={filters.userId}
          onChange={(userId) => onChange({ userId })}
          clearable
          w={{ base: 'auto', sm: 170 }}
          flex={{ base: 1, sm: 'none' }}
          miw={120}
        />
      ) : null}
      <Group gap="xs" wrap="nowrap" ml="auto">
        <Tooltip label={t('toolbar.autoRefreshHint')}>
          <Switch
            label={t('toolbar.autoRefresh')}
            checked={autoRefresh}
            onChange={(event) => onAutoRefresh(event.currentTarget.checked)}
            size="sm"
            px={4}
          />
        </Tooltip>
        <Tooltip label={t('common:action.refresh')}>
          <ActionIcon
            variant="default"
            size={36}
            aria-label={t('common:action.refresh')}
            onClick={onRefresh}
            loading={refreshing}
          >
            <IconRefresh size={18} />
          </ActionIcon>
        </Tooltip>
      </Group>
    </Group>
  );
}
