/** A secret the API shows only once (a new key, access token, redemption codes): each with a copy button, and all at once. */
import { ActionIcon, Alert, Button, Code, CopyButton, Group, Modal, ScrollArea, Stack, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** An icon button that copies `value`, and says so for a moment. */
export function CopyIcon({ value, label }: { value: string; label?: string }) {
  const { t } = useTranslation();
  return (
    <CopyButton value={value} timeout={1500}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? t('action.copied') : t('action.copy')} withArrow>
          <ActionIcon
            variant="subtle"
            color={copied ? 'teal' : 'gray'}
            onClick={copy}
            aria-label={label ?? t('action.copy')}
          >
            {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}

export function SecretModal({
  opened,
  onClose,
  title,
  secrets,
  warning,
}: {
  opened: boolean;
  onClose: () => void;
  title: string;
  secrets: string[];
  warning: ReactNode;
}) {
  const { t } = useTranslation();
  const all = secrets.join('\n');
  return (
    // A stray click outside must not throw away what cannot be shown again.
    <Modal opened={opened} onClose={onClose} title={title} size="lg" closeOnClickOutside={false} centered>
      <Stack gap="md">
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />}>
          {warning}
        </Alert>
        <ScrollArea.Autosize mah={320} type="auto">
          <Stack gap={6} data-testid="secrets">
            {secrets.map((secret, i) => (
              <Group key={secret} gap={4} wrap="nowrap" align="center">
                <Code block style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} data-testid="secret">
                  {secret}
                </Code>
                <CopyIcon value={secret} label={`${t('action.copy')} ${i + 1}`} />
              </Group>
            ))}
          </Stack>
        </ScrollArea.Autosize>
        <Group justify="flex-end" gap="xs">
          <CopyButton value={all} timeout={1500}>
            {({ copied, copy }) => (
              <Button
                variant="light"
                {...(copied ? { color: 'teal' } : {})}
                leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                onClick={copy}
              >
                {copied ? t('action.copied') : secrets.length > 1 ? t('action.copyAll') : t('action.copy')}
              </Button>
            )}
          </CopyButton>
          <Button onClick={onClose}>{t('action.done')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
