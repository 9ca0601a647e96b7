/** The one moment a key is whole: shown with a copy button, a warning that it will not come back, and how to use it. */
import { Alert, Box, Button, Code, CopyButton, Group, Modal, Stack, Tabs, Text } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { NewToken } from '../../api/types.ts';
import { CopyIcon } from '../../ui/secret-modal.tsx';
import { useCallerModels } from './models-input.tsx';

/** A model to put in the examples when the key names none and the gateway does not list any. */
const EXAMPLE_MODEL = 'gpt-4o-mini';

function examples(baseUrl: string, key: string, model: string) {
  return [
    {
      id: 'curl',
      label: 'curl',
      code: `curl ${baseUrl}/chat/completions \\
  -H "Authorization: Bearer ${key}" \\
  -H "Content-Type: application/json" \\
  -d '{"model": "${model}", "messages": [{"role": "user", "content": "Hello!"}]}'`,
    },
    {
      id: 'python',
      label: 'Python',
      code: `from openai import OpenAI

client = OpenAI(base_url="${baseUrl}", api_key="${key}")
reply = client.chat.completions.create(
    model="${model}",
    messages=[{"role": "user", "content": "Hello!"}],
)
print(reply.choices[0].message.content)`,
    },
    {
      id: 'node',
      label: 'Node.js',
      code: `import OpenAI from 'openai';

const client = new OpenAI({ baseURL: '${baseUrl}', apiKey: '${key}' });
const reply = await client.chat.completions.create({
  model: '${model}',
  messages: [{ role: 'user', content: 'Hello!' }],
});
console.log(reply.choices[0].message.content);`,
    },
  ];
}

export function NewKeyModal({ token, onClose }: { token: NewToken | null; onClose: () => void }) {
  const { t } = useTranslation(['tokens', 'common']);
  const callerModels = useCallerModels();
  const baseUrl = `${window.location.origin}/v1`;
  const model = token?.models?.[0] ?? callerModels.data?.[0]?.id ?? EXAMPLE_MODEL;
  const samples = token ? examples(baseUrl, token.key, model) : [];
  return (
    <Modal
      opened={token !== null}
      onClose={onClose}
      title={t('newKey.title')}
      size="lg"
      closeOnClickOutside={false}
      closeButtonProps={{ 'aria-label': t('common:action.close') }}
      data-testid="new-key-modal"
    >
      {token ? (
        <Stack gap="md">
          <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
            {t('newKey.warning')}
          </Alert>
          <Stack gap={6}>
            <Text size="sm" fw={500}>
              {t('newKey.label')} · {token.name}
            </Text>
            <Code block data-testid="new-key" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
              {token.key}
            </Code>
            <CopyButton value={token.key} timeout={2000}>
              {({ copied, copy }) => (
                <Button
                  onClick={copy}
                  {...(copied ? { color: 'teal' } : {})}
                  leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                >
                  {copied ? t('common:action.copied') : t('newKey.copy')}
                </Button>
              )}
            </CopyButton>
          </Stack>
          <Stack gap={6}>
            <Text size="sm" fw={500}>
              {t('newKey.tryIt')}
            </Text>
            <Text size="sm" c="dimmed">
              {t('newKey.baseUrl')} <Code>{baseUrl}</Code>
            </Text>
            <Tabs defaultValue="curl" variant="outline">
              <Tabs.List>
                {samples.map((example) => (
                  <Tabs.Tab key={example.id} value={example.id}>
                    {example.label}
                  </Tabs.Tab>
                ))}
              </Tabs.List>
              {samples.map((example) => (
                <Tabs.Panel key={example.id} value={example.id} pt="xs">
                  <Box pos="relative">
                    <Code block pr={40} style={{ overflowX: 'auto' }}>
                      {example.code}
                    </Code>
                    <Box pos="absolute" top={4} right={4}>
                      <CopyIcon value={example.code} label={t('newKey.copyExample')} />
                    </Box>
                  </Box>
                </Tabs.Panel>
              ))}
            </Tabs>
          </Stack>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('newKey.done')}
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}
