/** One turn of the playground chat: the user's text, or the model's answer (Markdown) with its reasoning and figures. */
import {
  Alert,
  Badge,
  Box,
  Collapse,
  Group,
  Loader,
  Paper,
  Stack,
  Text,
  Typography,
  UnstyledButton,
} from '@mantine/core';
import { IconBrain, IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import Markdown from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { count, duration, usd } from '../../ui/format.ts';
import type { ChatAnswer } from './chat-request.ts';

export interface Turn {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  reasoning: string;
  model?: string;
  /** While the answer is coming. */
  pending?: boolean;
  /** The request's figures, once it ended. */
  answer?: ChatAnswer;
  costUsd?: number | null;
  error?: string;
  stopped?: boolean;
}

function Reasoning({ text, live }: { text: string; live: boolean }) {
  const { t } = useTranslation('playground');
  const [open, setOpen] = useState(true);
  return (
    <Box>
      <UnstyledButton onClick={() => setOpen((o) => !o)} aria-expanded={open} data-testid="reasoning-toggle">
        <Group gap={6} c="dimmed">
          {open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
          <IconBrain size={14} />
          <Text size="xs" fw={600}>
            {live ? t('chat.reasoningLive') : t('chat.reasoning')}
          </Text>
        </Group>
      </UnstyledButton>
      <Collapse expanded={open}>
        <Text
          size="sm"
          c="dimmed"
          mt={6}
          pl="sm"
          data-testid="reasoning"
          style={{ whiteSpace: 'pre-wrap', borderLeft: '2px solid var(--mantine-color-default-border)' }}
        >
          {text}
        </Text>
      </Collapse>
    </Box>
  );
}

function Figures({ turn }: { turn: Turn }) {
  const { t } = useTranslation('playground');
  const answer = turn.answer;
  if (!answer) return null;
  const parts: string[] = [];
  if (answer.ttftMs !== null) parts.push(t('stats.ttft', { value: duration(answer.ttftMs) }));
  parts.push(t('stats.latency', { value: duration(answer.latencyMs) }));
  if (answer.usage)
    parts.push(
      t('stats.tokens', {
        prompt: count(answer.usage.prompt_tokens),
        completion: count(answer.usage.completion_tokens),
      }),
    );
  if (turn.costUsd !== undefined && turn.costUsd !== null) parts.push(t('stats.cost', { value: usd(turn.costUsd) }));
  if (answer.finishReason && answer.finishReason !== 'stop')
    parts.push(t('stats.finish', { value: answer.finishReason }));
  return (
    <Text size="xs" c="dimmed" data-testid="turn-figures">
      {parts.join(' · ')}
    </Text>
  );
}

export function MessageView({ turn }: { turn: Turn }) {
  const { t } = useTranslation('playground');
  if (turn.role === 'user') {
    return (
      <Group justify="flex-end" data-testid="turn-user">
        <Paper px="md" py="xs" radius="lg" bg="var(--mantine-primary-color-light)" maw="85%">
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {turn.content}
          </Text>
        </Paper>
      </Group>
    );
  }
  return (
    <Stack gap={6} maw="100%" data-testid="turn-assistant">
      <Group gap="xs">
        <Badge variant="light" size="sm" radius="sm" tt="none">
          {turn.model}
        </Badge>
        {turn.pending && !turn.content && !turn.reasoning ? <Loader size="xs" type="dots" /> : null}
        {turn.stopped ? (
          <Badge color="gray" variant="outline" size="sm">
            {t('chat.stopped')}
          </Badge>
        ) : null}
      </Group>
      {turn.reasoning ? <Reasoning text={turn.reasoning} live={Boolean(turn.pending) && !turn.content} /> : null}
      {turn.content ? (
        <Paper withBorder px="md" py="xs" radius="lg">
          <Typography
            data-testid="answer"
            style={{ overflowWrap: 'anywhere', fontSize: 'var(--mantine-font-size-sm)' }}
          >
            <Markdown remarkPlugins={[remarkGfm]}>{turn.content}</Markdown>
          </Typography>
        </Paper>
      ) : null}
      {turn.error ? (
        <Alert color="red" variant="light" title={t('chat.failed')} py="xs">
          {turn.error}
        </Alert>
      ) : null}
      <Figures turn={turn} />
    </Stack>
  );
}
