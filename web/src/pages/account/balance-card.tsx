/** The caller's money: what is left, what was spent, how many requests, and the group whose ratio applies. */
import { Badge, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useUser } from '../../auth.tsx';
import { count, usd } from '../../ui/format.ts';
import { RoleBadge } from '../users/role-badge.tsx';
import { Section } from './section.tsx';

function Figure({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value}
      </Text>
      {hint ? (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      ) : null}
    </Stack>
  );
}

export function BalanceCard() {
  const { t } = useTranslation(['account', 'common']);
  const user = useUser();
  const unlimited = user.quota_usd === null;
  return (
    <Section title={t('balance.title')} testId="balance-card">
      <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="md">
        <Figure
          label={t('balance.remaining')}
          value={unlimited ? t('common:state.unlimited') : usd(user.quota_usd)}
          {...(unlimited ? { hint: t('balance.unlimitedHint') } : {})}
        />
        <Figure label={t('balance.used')} value={usd(user.used_usd)} />
        <Figure label={t('balance.requests')} value={count(user.request_count)} />
      </SimpleGrid>
      <Group gap="xs">
        <Text size="sm" c="dimmed">
          {t('balance.group')}
        </Text>
        <Badge variant="outline" color="gray" tt="none">
          {user.group}
        </Badge>
        <RoleBadge role={user.role} />
      </Group>
    </Section>
  );
}
