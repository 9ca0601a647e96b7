/** Who is logged in: the session's user, the guards that send others to the login page, and role checks. */
import { Center, Loader } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { ApiError, api, onAuthError } from './api/client.ts';
import type { Role, User } from './api/types.ts';
import { QueryError } from './ui/page.tsx';

export const SELF_KEY = ['self'] as const;

/** The logged-in user; `data` is null when nobody is. */
export function useSelf() {
  return useQuery({
    queryKey: SELF_KEY,
    queryFn: async (): Promise<User | null> => {
      try {
        return await api.get<User>('/api/auth/self');
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
}

/** The logged-in user, inside the guarded part of the app (where there always is one). */
export function useUser(): User {
  const { data } = useSelf();
  if (!data) throw new Error('useUser outside RequireUser');
  return data;
}

const RANK: Record<Role, number> = { user: 1, admin: 2, root: 3 };
export const atLeast = (user: Pick<User, 'role'>, role: Role): boolean => RANK[user.role] >= RANK[role];

/** A session that ends (expired, logged out elsewhere) or must change its password sends the user on. */
export function useSessionEvents(): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      onAuthError((error) => {
        if (error.status === 401) queryClient.setQueryData(SELF_KEY, null);
        else void queryClient.invalidateQueries({ queryKey: SELF_KEY });
      }),
    [queryClient],
  );
}

function FullPageLoader() {
  return (
    <Center h="100vh">
      <Loader />
    </Center>
  );
}

/** Pages for logged-in users: others go to /login (and come back after), a forced password change comes first. */
export function RequireUser() {
  const self = useSelf();
  const location = useLocation();
  if (self.isPending) return <FullPageLoader />;
  if (self.isError) return <QueryError error={self.error} onRetry={() => void self.refetch()} />;
  if (!self.data) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (self.data.must_change_password && location.pathname !== '/change-password')
    return <Navigate to="/change-password" replace />;
  return <Outlet />;
}

/** Pages for admins (or root): anyone else lands on the dashboard. */
export function RequireRole({ minRole }: { minRole: Role }) {
  const user = useUser();
  return atLeast(user, minRole) ? <Outlet /> : <Navigate to="/" replace />;
}
