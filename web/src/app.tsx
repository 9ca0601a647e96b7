/** The app's routes: the logged-out pages, then the pages of the shell, each loaded when first visited. */
import { lazy } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { RequireRole, RequireUser, useSessionEvents } from './auth.tsx';
import { Shell } from './layout/shell.tsx';
import ChangePasswordPage from './pages/auth/change-password.tsx';
import LoginPage from './pages/auth/login.tsx';
import RegisterPage from './pages/auth/register.tsx';

const Dashboard = lazy(() => import('./pages/dashboard/index.tsx'));
const Playground = lazy(() => import('./pages/playground/index.tsx'));
const Channels = lazy(() => import('./pages/channels/index.tsx'));
const Tokens = lazy(() => import('./pages/tokens/index.tsx'));
const Logs = lazy(() => import('./pages/logs/index.tsx'));
const Users = lazy(() => import('./pages/users/index.tsx'));
const Groups = lazy(() => import('./pages/groups/index.tsx'));
const Prices = lazy(() => import('./pages/prices/index.tsx'));
const Redemptions = lazy(() => import('./pages/redemptions/index.tsx'));
const Account = lazy(() => import('./pages/account/index.tsx'));
const Settings = lazy(() => import('./pages/settings/index.tsx'));

export function App() {
  useSessionEvents();
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/register" element={<RegisterPage />} />
      <Route element={<RequireUser />}>
        <Route path="/change-password" element={<ChangePasswordPage />} />
        <Route element={<Shell />}>
          <Route index element={<Dashboard />} />
          <Route path="playground" element={<Playground />} />
          <Route path="tokens" element={<Tokens />} />
          <Route path="logs" element={<Logs />} />
          <Route path="account" element={<Account />} />
          <Route path="prices" element={<Prices />} />
          <Route element={<RequireRole minRole="admin" />}>
            <Route path="channels" element={<Channels />} />
            <Route path="users" element={<Users />} />
            <Route path="groups" element={<Groups />} />
            <Route path="redemptions" element={<Redemptions />} />
          </Route>
          <Route element={<RequireRole minRole="root" />}>
            <Route path="settings" element={<Settings />} />
          </Route>
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Route>
    </Routes>
  );
}
