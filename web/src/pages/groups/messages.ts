/** The groups page's words. */
import { defineMessages } from '../../i18n/messages.ts';

export const messages = defineMessages({
  en: { title: 'groups' },
  zh: { title: 'groups' },
});
