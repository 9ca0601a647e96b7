/** The cells of a channel's row: status, last hour's health, keys, models and the latest test, details on a click. */
import { Badge, Box, Group, Popover, Stack, Text, Tooltip, UnstyledButton } from '@mantine/core';
import { IconAlertTriangle, IconLock } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel, ChannelHealth, ChannelKey } from '../../api/types.ts';
import { count, dateTime, duration, percent, relative } from '../../ui/format.ts';
import { StatusBadge } from '../../ui/page.tsx';
import type { TestOutcome } from './actions.ts';
import { servedModels } from './settings.ts';

const HOUR = 3_600_000;

/** A compact value that opens its details on a click (hover does not exist on phones). */
function Details({ label, target, children }: { label: string; target: ReactNode; children: ReactNode }) {
  return (
    <Popover withArrow shadow="md" position="bottom-start" width={320}>
      <Popover.Target>
        <UnstyledButton aria-label={label}>{target}</UnstyledButton>
      </Popover.Target>
      <Popover.Dropdown maw="calc(100vw - 32px)" style={{ whiteSpace: 'normal' }}>
        {children}
      </Popover.Dropdown>
    </Popover>
  );
}

/** The name, and below it the type, where it comes from and the groups it serves. */
export function NameCell({ channel }: { channel: Channel }) {
  const { t } = useTranslation('channels');
  return (
    <Stack gap={2}>
      <Text fw={600} size="sm">
        {channel.name}
      </Text>
      <Group gap={6} wrap="nowrap">
        <Text size="xs" c="dimmed" ff="monospace">
          {channel.type}
        </Text>
        {channel.read_only ? (
          <Tooltip label={t('readOnlyHint')} multiline w={260}>
            <Badge size="xs" variant="outline" color="gray" leftSection={<IconLock size={10} />}>
              {t('readOnly')}
            </Badge>
          </Tooltip>
        ) : null}
      </Group>
      {channel.groups.length ? (
        <Text size="xs" c="dimmed">
          {t('list.groups', { groups: channel.groups.join(', ') })}
        </Text>
      ) : null}
    </Stack>
  );
}

/** Badges truncate themselves in a tight table column; this keeps them whole. */
const Whole = ({ children }: { children: ReactNode }) => <Box miw="max-content">{children}</Box>;

export function StatusCell({ channel }: { channel: Channel }) {
  const badge = (
    <Whole>
      <StatusBadge status={channel.status} />
    </Whole>
  );
  if (!channel.status_reason) return badge;
  return (
    <Tooltip label={channel.status_reason} multiline maw={320}>
      <span>{badge}</span>
    </Tooltip>
  );
}

export function HealthCell({ name, health }: { name: string; health: ChannelHealth }) {
  const { t } = useTranslation(['channels', 'common']);
  const errorRate = health.requests_1h ? health.errors_1h / health.requests_1h : 0;
  const summary = health.requests_1h ? (
    <Stack gap={0}>
      <Text size="sm">{t('health.requests', { count: health.requests_1h, formatted: count(health.requests_1h) })}</Text>
      <Text size="xs" c="dimmed">
        <Text span inherit c={errorRate >= 0.1 ? 'red' : errorRate > 0 ? 'orange' : 'teal'}>
          {t('health.errorRate', { rate: percent(errorRate) })}
        </Text>
        {' · '}
        {t('health.avgLatency', { latency: duration(health.avg_latency_ms_1h) })}
      </Text>
    </Stack>
  ) : (
    <Stack gap={0}>
      <Text size="sm" c="dimmed">
        {t('health.idle')}
      </Text>
      <Text size="xs" c="dimmed">
        {health.last_used_at ? t('health.lastUsed', { when: relative(health.last_used_at) }) : t('health.neverUsed')}
      </Text>
    </Stack>
  );
  const error = health.last_error;
  return (
    <Group gap={6} wrap="nowrap" align="flex-start">
      {summary}
      {error ? (
        <Details
          label={t('health.lastErrorOf', { name })}
          target={
            <Tooltip label={t('health.lastError')}>
              <IconAlertTriangle
                size={16}
                color={`var(--mantine-color-${Date.now() - error.at < HOUR ? 'orange' : 'gray'}-filled)`}
              />
            </Tooltip>
          }
        >
          <Stack gap={4}>
            <Text size="sm" fw={600}>
              {t('health.lastError')} · {error.status}
            </Text>
            <Text size="xs" c="dimmed">
              {dateTime(error.at)} ({relative(error.at)})
            </Text>
            <Text size="sm" style={{ wordBreak: 'break-word' }}>
              {error.message ?? '—'}
            </Text>
          </Stack>
        </Details>
      ) : null}
    </Group>
  );
}

/** A key's state: in rotation, cooling down until a time, or taken out with the upstream's reason. */
function KeyState({ channelKey }: { channelKey: ChannelKey }) {
  const { t } = useTranslation(['channels', 'common']);
  if (channelKey.disabled_reason)
    return (
      <Text size="xs" c="red">
        {t('keys.disabled', { reason: channelKey.disabled_reason })}
      </Text>
    );
  if (channelKey.cooling_until)
    return (
      <Text size="xs" c="orange">
        {t('keys.cooling', { until: dateTime(channelKey.cooling_until) })}
      </Text>
    );
  return (
    <Text size="xs" c="teal">
      {t('keys.ok')}
    </Text>
  );
}

export function KeyList({ keys }: { keys: ChannelKey[] }) {
  return (
    <Stack gap={6}>
      {keys.map((key) => (
        <Stack key={key.id} gap={0}>
          <Text size="sm" ff="monospace">
            {key.hint}
          </Text>
          <KeyState channelKey={key} />
        </Stack>
      ))}
    </Stack>
  );
}

export function KeysCell({ channel }: { channel: Channel }) {
  const { t } = useTranslation(['channels', 'common']);
  const cooling = channel.keys.filter((k) => k.cooling_until && !k.disabled_reason).length;
  const disabled = channel.keys.filter((k) => k.disabled_reason).length;
  if (!channel.keys.length)
    return (
      <Text size="sm" c="dimmed">
        {t('keys.none')}
      </Text>
    );
  return (
    <Details
      label={t('keys.of', { name: channel.name })}
      target={
        <Group gap={4} wrap="nowrap">
          <Text size="sm" td="underline" style={{ textDecorationStyle: 'dotted' }}>
            {t('keys.count', { count: channel.keys.length })}
          </Text>
          {cooling ? (
            <Badge size="xs" color="orange" variant="light">
              {t('keys.coolingCount', { count: cooling })}
            </Badge>
          ) : null}
          {disabled ? (
            <Badge size="xs" color="red" variant="light">
              {t('keys.disabledCount', { count: disabled })}
            </Badge>
          ) : null}
        </Group>
      }
    >
      <KeyList keys={channel.keys} />
    </Details>
  );
}

export function ModelsCell({ channel }: { channel: Channel }) {
  const { t } = useTranslation(['channels', 'common']);
  const models = servedModels(channel);
  if (!models.length)
    return (
      <Text size="sm" c="dimmed">
        {t('list.anyModel')}
      </Text>
    );
  return (
    <Details
      label={t('list.modelsOf', { name: channel.name })}
      target={
        <Whole>
          <Badge variant="outline" color="indigo" style={{ cursor: 'pointer' }}>
            {t('list.modelCount', { count: models.length })}
          </Badge>
        </Whole>
      }
    >
      <Group gap={4}>
        {models.map((m) => (
          <Badge key={m} variant="default" tt="none" size="sm">
            {m}
          </Badge>
        ))}
      </Group>
    </Details>
  );
}

/** The newest test: one run from this page (which config channels only have), or the one the API recorded. */
export function TestCell({ channel, outcome }: { channel: Channel; outcome: TestOutcome | undefined }) {
  const { t } = useTranslation(['channels', 'common']);
  const recent = outcome && (!channel.tested_at || outcome.at >= channel.tested_at) ? outcome : undefined;
  const at = recent?.at ?? channel.tested_at;
  if (!at)
    return (
      <Text size="sm" c="dimmed">
        {t('list.untested')}
      </Text>
    );
  const ok = recent ? recent.ok : channel.test_latency_ms !== null;
  const latency = recent ? recent.latency_ms : channel.test_latency_ms;
  const value = ok ? (
    <Text size="sm">{duration(latency)}</Text>
  ) : (
    <Badge size="sm" color="red" variant="light">
      {t('list.testFailed')}
    </Badge>
  );
  return (
    <Stack gap={0}>
      {recent?.error ? (
        <Tooltip label={recent.error} multiline maw={320}>
          <span>{value}</span>
        </Tooltip>
      ) : (
        value
      )}
      <Tooltip label={dateTime(at)}>
        <Text size="xs" c="dimmed">
          {relative(at)}
        </Text>
      </Tooltip>
    </Stack>
  );
}
