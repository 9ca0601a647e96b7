/** A user's role as a coloured badge (root, admin, user). */
import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../api/types.ts';

const ROLE_COLOR: Record<Role, string> = { root: 'grape', admin: 'indigo', user: 'gray' };

export function RoleBadge({ role }: { role: Role }) {
  const { t } = useTranslation(['users', 'common']);
  return (
    <Badge color={ROLE_COLOR[role]} variant="light">
      {t(`role.${role}`)}
    </Badge>
  );
}
