/** What the dashboard shows instead of empty charts: how to make a key and send a first request. */
import { Anchor, Code, List, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconChartBar } from '@tabler/icons-react';
import { Trans, useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Panel } from './panel.tsx';

const curl = (origin: string) => `curl ${origin}/v1/chat/completions \\
  -H "Authorization: Bearer $SWITCHYARD_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello!"}]}'`;

export function GettingStarted() {
  const { t } = useTranslation('dashboard');
  return (
    <Panel testId="getting-started" title={t('empty.title')}>
      <Stack gap="sm">
        <ThemeIcon variant="light" size={44} radius="xl">
          <IconChartBar size={24} />
        </ThemeIcon>
        <Text size="sm">{t('empty.intro')}</Text>
        <List type="ordered" size="sm" spacing="xs">
          <List.Item>
            <Trans t={t} i18nKey="empty.step1" components={{ a: <Anchor component={Link} to="/tokens" inherit /> }} />
          </List.Item>
          <List.Item>{t('empty.step2')}</List.Item>
        </List>
        {/* Scrolls sideways on a phone rather than breaking the command in the middle of words. */}
        <Code block style={{ overflowX: 'auto' }}>
          {curl(window.location.origin)}
        </Code>
        <Text size="sm" c="dimmed">
          <Trans
            t={t}
            i18nKey="empty.playground"
            components={{ a: <Anchor component={Link} to="/playground" inherit /> }}
          />
        </Text>
      </Stack>
    </Panel>
  );
}
