/** What can be done to channels from the list, one or many at once, with its outcome told in a notification. */
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel, ChannelTestResult } from '../../api/types.ts';
import { duration } from '../../ui/format.ts';
import { errorText, notifyError, notifySuccess } from '../../ui/notify.ts';
import { CHANNELS_KEY, channelApi } from './queries.ts';

export type BulkAction = 'enable' | 'disable' | 'test' | 'delete';

/** A test run from this page, kept so that config-file channels (whose tests the API does not record) show it too. */
export interface TestOutcome extends ChannelTestResult {
  at: number;
}

/** Enables, disables or deletes a channel; a bulk run needs nothing from the answer. */
const change = async (action: Exclude<BulkAction, 'test'>, id: string): Promise<null> => {
  await (action === 'delete' ? channelApi.remove(id) : channelApi.setEnabled(id, action === 'enable'));
  return null;
};

export function useChannelActions() {
  const { t } = useTranslation('channels');
  const queryClient = useQueryClient();
  const [testing, setTesting] = useState<ReadonlySet<string>>(new Set());
  const [outcomes, setOutcomes] = useState<Readonly<Record<string, TestOutcome>>>({});
  const refresh = () => queryClient.invalidateQueries({ queryKey: CHANNELS_KEY });

  const mark = (ids: string[], on: boolean) =>
    setTesting((current) => {
      const next = new Set(current);
      for (const id of ids)
        if (on) next.add(id);
        else next.delete(id);
      return next;
    });

  const runTests = async (channels: Channel[], model?: string) => {
    mark(
      channels.map((c) => c.id),
      true,
    );
    const settled = await Promise.allSettled(
      channels.map(async (channel) => {
        try {
          const outcome: TestOutcome = { ...(await channelApi.test(channel.id, model)), at: Date.now() };
          setOutcomes((current) => ({ ...current, [channel.id]: outcome }));
          return outcome;
        } finally {
          mark([channel.id], false);
        }
      }),
    );
    void refresh();
    return settled;
  };

  const test = async (channel: Channel, model?: string) => {
    const [settled] = await runTests([channel], model);
    if (!settled) return;
    if (settled.status === 'rejected') return notifyError(settled.reason);
    const outcome = settled.value;
    if (outcome.ok) {
      notifySuccess(
        t('test.passed', { name: channel.name, latency: duration(outcome.latency_ms), model: outcome.model ?? '—' }),
      );
    } else {
      notifications.show({
        color: 'red',
        title: t('test.failed', { name: channel.name }),
        message: outcome.status ? `${outcome.status} · ${outcome.error ?? ''}` : (outcome.error ?? ''),
        autoClose: 10_000,
      });
    }
  };

  const setEnabled = async (channel: Channel, enabled: boolean) => {
    try {
      await channelApi.setEnabled(channel.id, enabled);
      notifySuccess(t(enabled ? 'done.enabled' : 'done.disabled', { name: channel.name }));
    } catch (error) {
      notifyError(error);
    }
    void refresh();
  };

  const remove = async (channel: Channel) => {
    try {
      await channelApi.remove(channel.id);
      notifySuccess(t('done.deleted', { name: channel.name }));
    } catch (error) {
      notifyError(error);
    }
    void refresh();
  };

  /** Runs one action on every channel at once; tells how many succeeded and why the first ones failed. */
  const bulk = async (action: BulkAction, channels: Channel[]) => {
    // Tests answer with an outcome (which may be a failure); the other actions with nothing to look at.
    const settled: PromiseSettledResult<TestOutcome | null>[] =
      action === 'test'
        ? await runTests(channels)
        : await Promise.allSettled(channels.map((c) => change(action, c.id)));
    if (action !== 'test') void refresh();
    const reasons = settled.flatMap((s, i) => {
      const name = channels[i]?.name ?? '';
      if (s.status === 'rejected') return [`${name}: ${errorText(s.reason)}`];
      return s.value && !s.value.ok ? [`${name}: ${s.value.error ?? s.value.status ?? ''}`] : [];
    });
    const ok = settled.length - reasons.length;
    const message = t('bulk.result', { action: t(`bulk.${action}`), ok, failed: reasons.length });
    if (reasons.length === 0) notifySuccess(message);
    else
      notifications.show({
        color: ok ? 'yellow' : 'red',
        title: message,
        message: reasons.slice(0, 3).join('\n'),
        autoClose: 10_000,
        style: { whiteSpace: 'pre-line' },
      });
  };

  return { testing, outcomes, test, setEnabled, remove, bulk };
}

export type ChannelActions = ReturnType<typeof useChannelActions>;
