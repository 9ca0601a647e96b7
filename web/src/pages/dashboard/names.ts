/** How the dashboard names a model, channel, token or user that the API sends as a bare key. */
import { useTranslation } from 'react-i18next';
import type { StatsSplit } from '../../api/types.ts';
import { userName } from '../../ui/user-select.tsx';

/** A series or row name for display: users by name (the API sends ids), empty keys and the rest ("other") in words. */
export function useKeyLabel(userNames: Map<number, string>) {
  const { t } = useTranslation('dashboard');
  return (dimension: StatsSplit, key: string | null): string => {
    if (key === null) return t('charts.other');
    if (key === '') return t('charts.unnamed');
    return dimension === 'user' ? userName(userNames, Number(key)) : key;
  };
}
