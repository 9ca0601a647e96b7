/** The account page's words. */
import { defineMessages } from '../../i18n/messages.ts';

export const messages = defineMessages({
  en: { title: 'account' },
  zh: { title: 'account' },
});
