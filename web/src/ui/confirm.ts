/** Asks before something that cannot be undone. */
import { modals } from '@mantine/modals';
import { i18n } from '../i18n/index.ts';

export function confirmDelete(name: string, onConfirm: () => void): void {
  modals.openConfirmModal({
    title: i18n.t('confirm.title'),
    children: i18n.t('confirm.delete', { name }),
    labels: { confirm: i18n.t('action.delete'), cancel: i18n.t('action.cancel') },
    confirmProps: { color: 'red' },
    onConfirm,
  });
}

/** Asks before an action whose effect is hard to take back (revoking, resetting, logging out everywhere). */
export function confirmAction({
  title,
  message,
  confirmLabel,
  onConfirm,
}: {
  title?: string;
  message: string;
  confirmLabel: string;
  onConfirm: () => void;
}): void {
  modals.openConfirmModal({
    title: title ?? i18n.t('confirm.title'),
    children: message,
    labels: { confirm: confirmLabel, cancel: i18n.t('action.cancel') },
    confirmProps: { color: 'red' },
    onConfirm,
  });
}
