/** Pieces of a log row, also used in a request's details: its HTTP status, model, tokens and speed. */
import { Badge, Group, Stack, Text, Tooltip } from '@mantine/core';
import { IconArrowRight, IconCornerDownRight } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { UsageLog } from '../../api/types.ts';
import { count, duration } from '../../ui/format.ts';

const NOWRAP = { whiteSpace: 'nowrap' } as const;
/** A badge with a short fixed text is never cut to an ellipsis when its column is tight. */
const WHOLE = { minWidth: 'max-content' } as const;

/** Green for 2xx, orange for 4xx, red for 5xx (and anything else that is not a success). */
export function HttpStatusBadge({ status }: { status: number }) {
  const color = status >= 200 && status < 300 ? 'teal' : status >= 400 && status < 500 ? 'orange' : 'red';
  return (
    <Badge color={color} variant="light" style={WHOLE}>
      {status}
    </Badge>
  );
}

/** The model asked for, the upstream model when it differs, and (unless told not to) a mark on a virtual model's calls. */
export function ModelCell({ log, markChild = true }: { log: UsageLog; markChild?: boolean }) {
  const { t } = useTranslation('logs');
  const upstream = log.upstream_model && log.upstream_model !== log.model ? log.upstream_model : null;
  return (
    <Stack gap={2}>
      <Group gap={6} wrap="nowrap">
        {markChild && log.parent_request_id ? (
          <Tooltip label={t('row.childHint', { parent: log.parent_request_id })} multiline maw={300}>
            <Badge
              size="xs"
              variant="light"
              color="grape"
              leftSection={<IconCornerDownRight size={12} />}
              style={WHOLE}
              data-testid="child-call"
            >
              {t('row.child')}
            </Badge>
          </Tooltip>
        ) : null}
        <Text size="sm" fw={500} style={NOWRAP}>
          {log.model}
        </Text>
      </Group>
      {upstream ? (
        <Tooltip label={t('row.upstream', { model: upstream })}>
          <Group gap={4} wrap="nowrap" c="dimmed">
            <IconArrowRight size={12} />
            <Text size="xs" style={NOWRAP}>
              {upstream}
            </Text>
          </Group>
        </Tooltip>
      ) : null}
    </Stack>
  );
}

/** Prompt and completion tokens, and below them how many of the prompt's came from the cache. */
export function TokensCell({ log }: { log: UsageLog }) {
  const { t } = useTranslation('logs');
  return (
    <Stack gap={0} style={NOWRAP}>
      <Text size="sm">
        {count(log.prompt_tokens)} / {count(log.completion_tokens)}
      </Text>
      {log.cached_tokens ? (
        <Text size="xs" c="dimmed">
          {t('row.cached', { value: count(log.cached_tokens) })}
        </Text>
      ) : null}
    </Stack>
  );
}

/** How long the request took, its time to first token, and whether it streamed. */
export function LatencyCell({ log }: { log: UsageLog }) {
  const { t } = useTranslation('logs');
  return (
    <Stack gap={0} style={NOWRAP}>
      <Group gap={6} wrap="nowrap">
        <Text size="sm">{duration(log.latency_ms)}</Text>
        {log.stream ? (
          <Badge size="xs" variant="outline" color="blue" style={WHOLE}>
            {t('row.stream')}
          </Badge>
        ) : null}
      </Group>
      {log.ttft_ms === null ? null : (
        <Text size="xs" c="dimmed">
          {t('row.ttft', { value: duration(log.ttft_ms) })}
        </Text>
      )}
    </Stack>
  );
}
