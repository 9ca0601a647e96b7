/** The cells of a key's row: its quota, expiry, allowed models and addresses, rate limits and activity. */
import { Badge, Group, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { IconCube, IconWorld } from '@tabler/icons-react';
import type { ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import type { Token } from '../../api/types.ts';
import { compact, date, dateTime, percent, relative, usd } from '../../ui/format.ts';

const NOWRAP = { whiteSpace: 'nowrap' } as const;
/** A badge with a short fixed text is never cut to an ellipsis when its column is tight. */
const WHOLE = { minWidth: 'max-content' } as const;

export function QuotaCell({ token }: { token: Token }) {
  const { t } = useTranslation(['tokens', 'common']);
  const used = (
    <Text size="xs" c="dimmed" style={NOWRAP}>
      {t('quota.used', { amount: usd(token.used_usd) })}
    </Text>
  );
  if (token.remain_usd === null)
    return (
      <Stack gap={2} align="flex-start">
        <Badge variant="light" color="gray">
          {t('common:state.unlimited')}
        </Badge>
        {used}
      </Stack>
    );
  const total = token.remain_usd + token.used_usd;
  const share = total > 0 ? token.used_usd / total : 1;
  return (
    <Stack gap={3} w={130}>
      <Text size="sm" style={NOWRAP}>
        {t('quota.left', { amount: usd(token.remain_usd) })}
      </Text>
      <Progress
        value={share * 100}
        size="sm"
        color={share >= 0.9 ? 'red' : share >= 0.7 ? 'orange' : 'teal'}
        aria-label={t('quota.usedShare', { share: percent(share, 0) })}
      />
      {used}
    </Stack>
  );
}

/** When the key expires, as "in 3 days" (the exact time in a tooltip); red once it has. */
export function ExpiryCell({ expiresAt, now }: { expiresAt: number | null; now: number }) {
  const { t } = useTranslation(['tokens', 'common']);
  if (expiresAt === null)
    return (
      <Text size="sm" c="dimmed">
        {t('common:state.never')}
      </Text>
    );
  const expired = expiresAt <= now;
  return (
    <Tooltip label={dateTime(expiresAt)}>
      <Text size="sm" {...(expired ? { c: 'red', fw: 500 } : {})} style={NOWRAP}>
        {relative(expiresAt, now)}
      </Text>
    </Tooltip>
  );
}

/** One list limit: an icon naming it, then "All" when there is none, or its first entry and "+N" for the rest. */
function AccessLine({
  icon: Icon,
  label,
  values,
}: {
  icon: ComponentType<{ size?: number }>;
  label: string;
  values: string[] | null;
}) {
  const { t } = useTranslation(['tokens', 'common']);
  const [first, ...rest] = values ?? [];
  return (
    <Group gap={6} wrap="nowrap">
      <Tooltip label={label}>
        <Text component="span" c="dimmed" lh={0} aria-label={label}>
          <Icon size={14} />
        </Text>
      </Tooltip>
      {values === null ? (
        <Badge variant="outline" color="gray" size="sm" style={WHOLE}>
          {t('common:state.all')}
        </Badge>
      ) : first === undefined ? (
        <Badge variant="light" color="red" size="sm" style={WHOLE}>
          {t('common:state.none')}
        </Badge>
      ) : (
        <>
          <Badge variant="light" color="blue" size="sm" tt="none" maw={150}>
            {first}
          </Badge>
          {rest.length ? (
            <Tooltip label={rest.join(', ')} multiline maw={320}>
              <Badge variant="light" color="gray" size="sm" style={WHOLE}>
                {t('more', { count: rest.length })}
              </Badge>
            </Tooltip>
          ) : null}
        </>
      )}
    </Group>
  );
}

/** Which models the key may call and from which addresses. */
export function AccessCell({ token }: { token: Token }) {
  const { t } = useTranslation('tokens');
  return (
    <Stack gap={4}>
      <AccessLine icon={IconCube} label={t('column.models')} values={token.models} />
      <AccessLine icon={IconWorld} label={t('column.ips')} values={token.allow_ips} />
    </Stack>
  );
}

export function LimitsCell({ token }: { token: Token }) {
  const { t } = useTranslation('tokens');
  if (token.rpm === null && token.tpm === null)
    return (
      <Text size="sm" c="dimmed" style={NOWRAP}>
        {t('limit.none')}
      </Text>
    );
  return (
    <Stack gap={0} style={NOWRAP}>
      {token.rpm === null ? null : <Text size="sm">{t('limit.rpm', { value: compact(token.rpm) })}</Text>}
      {token.tpm === null ? null : <Text size="sm">{t('limit.tpm', { value: compact(token.tpm) })}</Text>}
    </Stack>
  );
}

/** When the key was last used, and below it when it was made. */
export function ActivityCell({ token, now }: { token: Token; now: number }) {
  const { t } = useTranslation('tokens');
  return (
    <Stack gap={0} style={NOWRAP}>
      {token.accessed_at === null ? (
        <Text size="sm" c="dimmed">
          {t('activity.never')}
        </Text>
      ) : (
        <Tooltip label={dateTime(token.accessed_at)}>
          <Text size="sm">{t('activity.used', { when: relative(token.accessed_at, now) })}</Text>
        </Tooltip>
      )}
      <Text size="xs" c="dimmed">
        {t('activity.created', { date: date(token.created_at) })}
      </Text>
    </Stack>
  );
}
