/** i18next with every page's dictionary (English and Chinese), the language kept in localStorage. */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { messages as account } from '../pages/account/messages.ts';
import { messages as auth } from '../pages/auth/messages.ts';
import { messages as channels } from '../pages/channels/messages.ts';
import { messages as dashboard } from '../pages/dashboard/messages.ts';
import { messages as groups } from '../pages/groups/messages.ts';
import { messages as logs } from '../pages/logs/messages.ts';
import { messages as playground } from '../pages/playground/messages.ts';
import { messages as prices } from '../pages/prices/messages.ts';
import { messages as redemptions } from '../pages/redemptions/messages.ts';
import { messages as settings } from '../pages/settings/messages.ts';
import { messages as tokens } from '../pages/tokens/messages.ts';
import { messages as users } from '../pages/users/messages.ts';
import { common } from './common.ts';

const namespaces = {
  common,
  auth,
  dashboard,
  channels,
  tokens,
  logs,
  users,
  groups,
  prices,
  redemptions,
  playground,
  account,
  settings,
};
type Namespaces = typeof namespaces;

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'common';
    resources: { [K in keyof Namespaces]: Namespaces[K]['en'] };
  }
}

export const LANGUAGES = [
  { value: 'en', label: 'English' },
  { value: 'zh', label: '中文' },
] as const;
export type Language = (typeof LANGUAGES)[number]['value'];

const STORAGE_KEY = 'switchyard.language';

function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === 'en' || stored === 'zh') return stored;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

function dictionaries(language: Language): Record<string, object> {
  return Object.fromEntries(Object.entries(namespaces).map(([ns, m]) => [ns, m[language]]));
}

void i18n.use(initReactI18next).init({
  initAsync: false, // the dictionaries are bundled: ready before the first render
  lng: initialLanguage(),
  fallbackLng: 'en',
  defaultNS: 'common',
  ns: Object.keys(namespaces),
  resources: { en: dictionaries('en'), zh: dictionaries('zh') },
  interpolation: { escapeValue: false }, // React escapes
});
document.documentElement.lang = i18n.language;

export function setLanguage(language: Language): void {
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
  void i18n.changeLanguage(language);
}

export { i18n };
