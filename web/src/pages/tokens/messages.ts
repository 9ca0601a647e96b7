/** The tokens page's words. */
import { defineMessages } from '../../i18n/messages.ts';

export const messages = defineMessages({
  en: { title: 'tokens' },
  zh: { title: 'tokens' },
});
