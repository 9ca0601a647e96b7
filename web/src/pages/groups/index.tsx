/** The groups page (to be built). */
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../ui/page.tsx';

export default function Page() {
  const { t } = useTranslation('groups');
  return <PageHeader title={t('title')} />;
}
