/** The playground: chat with any model the user may use, streamed, with reasoning apart and each turn's cost and time. */
import { Button, Grid, Group, Paper, ScrollArea, Stack, Text, Textarea } from '@mantine/core';
import { useLocalStorage } from '@mantine/hooks';
import { IconPlayerStopFilled, IconPlus, IconSend } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { PlaygroundModel } from '../../api/types.ts';
import { errorText } from '../../ui/notify.ts';
import { PageHeader, PageLoader, QueryError } from '../../ui/page.tsx';
import { type ChatMessage, type ChatSettings, costOf, sendChat } from './chat-request.ts';
import { MessageView, type Turn } from './message-view.tsx';
import { SettingsPanel } from './settings-panel.tsx';

const DEFAULT_SETTINGS: ChatSettings = {
  model: '',
  system: '',
  temperature: null,
  maxTokens: null,
  stream: true,
  thinking: false,
};

/** The conversation so far as the API takes it: finished turns only. */
function historyOf(turns: Turn[]): ChatMessage[] {
  return turns.filter((t) => !t.error && t.content).map((t) => ({ role: t.role, content: t.content }));
}

export default function PlaygroundPage() {
  const { t } = useTranslation('playground');
  const models = useQuery({
    queryKey: ['playground', 'models'],
    queryFn: () => api.get<PlaygroundModel[]>('/api/playground/models'),
  });
  const [settings, setSettings] = useLocalStorage<ChatSettings>({
    key: 'switchyard.playground',
    defaultValue: DEFAULT_SETTINGS,
  });
  const [turns, setTurns] = useState<Turn[]>([]);
  const [draft, setDraft] = useState('');
  const abort = useRef<AbortController | null>(null);
  const nextId = useRef(1);
  const viewport = useRef<HTMLDivElement>(null);
  const pending = turns.some((turn) => turn.pending);

  // The first model the user may use, when none (or one no longer available) is chosen.
  useEffect(() => {
    const available = models.data;
    if (available?.length && !available.some((m) => m.id === settings.model))
      setSettings((s) => ({ ...s, model: available[0]!.id }));
  }, [models.data, settings.model, setSettings]);

  useEffect(() => {
    const el = viewport.current;
    if (el) el.scrollTo({ top: el.scrollHeight });
  });

  const update = (id: number, change: Partial<Turn>) =>
    setTurns((all) => all.map((turn) => (turn.id === id ? { ...turn, ...change } : turn)));

  const send = async () => {
    const text = draft.trim();
    if (!text || pending || !settings.model) return;
    const question: Turn = { id: nextId.current++, role: 'user', content: text, reasoning: '' };
    const answerId = nextId.current++;
    const history = historyOf([...turns, question]);
    setTurns((all) => [
      ...all,
      question,
      { id: answerId, role: 'assistant', content: '', reasoning: '', model: settings.model, pending: true },
    ]);
    setDraft('');
    const controller = new AbortController();
    abort.current = controller;
    try {
      const answer = await sendChat(settings, history, controller.signal, (content, reasoning) =>
        update(answerId, { content, reasoning }),
      );
      update(answerId, { pending: false, answer, content: answer.content, reasoning: answer.reasoning });
      if (answer.requestId) {
        const cost = await costOf(answer.requestId);
        update(answerId, { costUsd: cost?.cost_usd ?? null });
      }
    } catch (error) {
      if (controller.signal.aborted) update(answerId, { pending: false, stopped: true });
      else update(answerId, { pending: false, error: errorText(error) });
    } finally {
      abort.current = null;
    }
  };

  if (models.isPending) return <PageLoader />;
  if (models.isError) return <QueryError error={models.error} onRetry={() => void models.refetch()} />;

  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={
          <Button
            variant="default"
            leftSection={<IconPlus size={16} />}
            onClick={() => setTurns([])}
            disabled={pending || turns.length === 0}
          >
            {t('chat.clear')}
          </Button>
        }
      />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 4, lg: 3 }} order={{ base: 2, md: 1 }}>
          <Paper withBorder p="md">
            <SettingsPanel
              models={models.data}
              settings={settings}
              onChange={(change) => setSettings((s) => ({ ...s, ...change }))}
            />
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8, lg: 9 }} order={{ base: 1, md: 2 }}>
          <Paper withBorder p={0}>
            <ScrollArea h="calc(100dvh - 330px)" mih={320} viewportRef={viewport} p="md" data-testid="chat">
              {turns.length === 0 ? (
                <Text c="dimmed" ta="center" py="xl">
                  {t('chat.empty')}
                </Text>
              ) : (
                <Stack gap="lg" pb="md">
                  {turns.map((turn) => (
                    <MessageView key={turn.id} turn={turn} />
                  ))}
                </Stack>
              )}
            </ScrollArea>
            <Group
              gap="xs"
              p="sm"
              align="flex-end"
              wrap="nowrap"
              style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}
            >
              <Textarea
                aria-label={t('chat.placeholder')}
                placeholder={t('chat.placeholder')}
                autosize
                minRows={1}
                maxRows={8}
                style={{ flex: 1 }}
                value={draft}
                onChange={(e) => setDraft(e.currentTarget.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                    e.preventDefault();
                    void send();
                  }
                }}
              />
              {pending ? (
                <Button
                  color="red"
                  variant="light"
                  leftSection={<IconPlayerStopFilled size={16} />}
                  onClick={() => abort.current?.abort()}
                >
                  {t('chat.stop')}
                </Button>
              ) : (
                <Button
                  leftSection={<IconSend size={16} />}
                  onClick={() => void send()}
                  disabled={!draft.trim() || !settings.model}
                >
                  {t('chat.send')}
                </Button>
              )}
            </Group>
          </Paper>
        </Grid.Col>
      </Grid>
    </>
  );
}
