/** The caller's own account: balance, redeeming codes, top-ups, profile, password, script access and sessions. */
import { Grid, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useUser } from '../../auth.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { ChangePasswordForm } from '../auth/change-password.tsx';
import { AccessTokenCard } from './access-token-card.tsx';
import { BalanceCard } from './balance-card.tsx';
import { ProfileCard } from './profile-card.tsx';
import { RedeemCard } from './redeem-card.tsx';
import { Section } from './section.tsx';
import { SessionsCard } from './sessions-card.tsx';
import { TopupHistory } from './topup-history.tsx';

export default function AccountPage() {
  const { t } = useTranslation('account');
  const user = useUser();
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Stack gap="md">
            <BalanceCard />
            <RedeemCard />
            <Section title={t('topups.title')} testId="topups-card">
              <TopupHistory userId={user.id} />
            </Section>
            <AccessTokenCard />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Stack gap="md">
            <ProfileCard />
            <Section title={t('password.title')} testId="password-card">
              <ChangePasswordForm />
            </Section>
            <SessionsCard />
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}
