/** Toasts for the outcome of an action: what was done, or what went wrong in the API's own words. */
import { notifications } from '@mantine/notifications';
import { ApiError } from '../api/client.ts';
import { i18n } from '../i18n/index.ts';

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.status === 0 ? i18n.t('error.network') : error.message;
  return error instanceof Error ? error.message : String(error);
}

export function notifySuccess(message: string): void {
  notifications.show({ color: 'teal', message, autoClose: 3000 });
}

export function notifyError(error: unknown): void {
  notifications.show({ color: 'red', title: i18n.t('error.title'), message: errorText(error), autoClose: 8000 });
}
