/** The drawer where a key is made or changed; an existing key shows its last week of usage above the form. */
import { Alert, Drawer, Stack } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { NewToken, Token } from '../../api/types.ts';
import { TokenForm } from './token-form.tsx';
import { TokenUsage } from './token-usage.tsx';

interface TokenDrawerProps {
  opened: boolean;
  /** The key to show; null to make one. */
  token: Token | null;
  onClose: () => void;
  onCreated: (token: NewToken) => void;
}

export function TokenDrawer({ opened, token, onClose, onCreated }: TokenDrawerProps) {
  const { t } = useTranslation(['tokens', 'common']);
  const readOnly = token?.source === 'config';
  const title = !token
    ? t('form.createTitle')
    : readOnly
      ? t('form.viewTitle', { name: token.name })
      : t('form.editTitle', { name: token.name });
  return (
    <Drawer
      opened={opened}
      onClose={onClose}
      position="right"
      size="lg"
      title={title}
      closeButtonProps={{ 'aria-label': t('common:action.close') }}
      data-testid="token-drawer"
    >
      <Stack gap="lg">
        {token ? <TokenUsage tokenId={token.id} /> : null}
        {readOnly ? (
          <Alert color="gray" variant="light" icon={<IconLock size={18} />}>
            {t('form.readOnly')}
          </Alert>
        ) : null}
        <TokenForm
          key={token?.id ?? 'new'}
          token={token}
          onCancel={onClose}
          onSaved={onClose}
          onCreated={(created) => {
            onClose();
            onCreated(created);
          }}
        />
      </Stack>
    </Drawer>
  );
}
