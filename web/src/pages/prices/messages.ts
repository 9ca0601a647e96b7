/** The prices page's words. */
import { defineMessages } from '../../i18n/messages.ts';

export const messages = defineMessages({
  en: { title: 'prices' },
  zh: { title: 'prices' },
});
