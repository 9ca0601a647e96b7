/** One request in full: every logged field, its error, its cost, and the calls a virtual model made for it. */
import { Alert, Button, Code, DataList, Drawer, Group, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconArrowUpRight } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Page, UsageLog } from '../../api/types.ts';
import { count, dateTime, duration, relative } from '../../ui/format.ts';
import { notifyError } from '../../ui/notify.ts';
import { CopyIcon } from '../../ui/secret-modal.tsx';
import { userName } from '../../ui/user-select.tsx';
import { HttpStatusBadge } from './log-cells.tsx';
import { LogChildren } from './log-children.tsx';
import { LogCost } from './log-cost.tsx';

/** A request id in full, with a copy button. */
function RequestId({ id, label }: { id: string; label: string }) {
  return (
    <Group gap={4} wrap="nowrap">
      <Code style={{ wordBreak: 'break-all' }}>{id}</Code>
      <CopyIcon value={id} label={label} />
    </Group>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

interface LogDetailProps {
  opened: boolean;
  log: UsageLog | null;
  /** User names by id for admins; null for a user (who sees only their own). */
  users: Map<number, string> | null;
  onOpen: (log: UsageLog) => void;
  onClose: () => void;
}

export function LogDetail({ opened, log, users, onOpen, onClose }: LogDetailProps) {
  const { t } = useTranslation(['logs', 'common']);
  const queryClient = useQueryClient();
  const openParent = async (requestId: string) => {
    try {
      const found = await queryClient.fetchQuery({
        queryKey: ['logs', 'request', requestId],
        queryFn: () => api.get<Page<UsageLog>>('/api/logs', { request_id: requestId, page_size: 1 }),
      });
      if (found.items[0]) onOpen(found.items[0]);
    } catch (error) {
      notifyError(error);
    }
  };
  return (
    <Drawer
      opened={opened}
      onClose={onClose}
      position="right"
      size="lg"
      title={t('detail.title')}
      closeButtonProps={{ 'aria-label': t('common:action.close') }}
      data-testid="log-detail"
    >
      {log ? (
        <Stack gap="lg">
          {log.error ? (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={t('detail.error')}>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                {log.error}
              </Text>
            </Alert>
          ) : null}
          <DataList size="sm" labelWidth={150} withDivider>
            <Field label={t('detail.requestId')}>
              <RequestId id={log.request_id} label={t('common:action.copy')} />
            </Field>
            {log.parent_request_id ? (
              <Field label={t('detail.parent')}>
                <Stack gap={4} align="flex-start">
                  <RequestId id={log.parent_request_id} label={t('common:action.copy')} />
                  <Button
                    size="compact-xs"
                    variant="light"
                    rightSection={<IconArrowUpRight size={14} />}
                    onClick={() => log.parent_request_id && void openParent(log.parent_request_id)}
                  >
                    {t('detail.openParent')}
                  </Button>
                </Stack>
              </Field>
            ) : null}
            <Field label={t('detail.time')}>
              {dateTime(log.created_at)}{' '}
              <Text span c="dimmed" size="sm">
                ({relative(log.created_at)})
              </Text>
            </Field>
            <Field label={t('detail.status')}>
              <HttpStatusBadge status={log.status} />
            </Field>
            {users ? <Field label={t('detail.user')}>{userName(users, log.user_id)}</Field> : null}
            <Field label={t('detail.token')}>
              {log.token_name || '—'}
              {log.token_id === null ? null : (
                <Text span c="dimmed" size="sm">
                  {' '}
                  #{log.token_id}
                </Text>
              )}
            </Field>
            <Field label={t('detail.channel')}>{log.channel ?? '—'}</Field>
            <Field label={t('detail.model')}>{log.model}</Field>
            <Field label={t('detail.upstreamModel')}>{log.upstream_model ?? '—'}</Field>
            <Field label={t('detail.stream')}>{log.stream ? t('common:state.yes') : t('common:state.no')}</Field>
            <Field label={t('detail.promptTokens')}>{count(log.prompt_tokens)}</Field>
            <Field label={t('detail.completionTokens')}>{count(log.completion_tokens)}</Field>
            <Field label={t('detail.cachedTokens')}>{count(log.cached_tokens)}</Field>
            <Field label={t('detail.latency')}>{duration(log.latency_ms)}</Field>
            <Field label={t('detail.ttft')}>{duration(log.ttft_ms)}</Field>
            <Field label={t('detail.ip')}>{log.ip ?? '—'}</Field>
          </DataList>
          <LogCost requestId={log.request_id} />
          <LogChildren requestId={log.request_id} onOpen={onOpen} />
        </Stack>
      ) : null}
    </Drawer>
  );
}
