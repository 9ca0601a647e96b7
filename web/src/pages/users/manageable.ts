/** Who may change whom: root everyone, admins plain users only (the API refuses the rest). */
import type { User } from '../../api/types.ts';

export const canManage = (self: Pick<User, 'role'>, target: Pick<User, 'role'>): boolean =>
  self.role === 'root' || target.role === 'user';
