/** The frame around every page: a header (theme, language, account) and the navigation, a drawer at phone width. */
import {
  ActionIcon,
  AppShell,
  Avatar,
  Burger,
  Group,
  Menu,
  NavLink,
  ScrollArea,
  Text,
  Tooltip,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconChartBar,
  IconCoin,
  IconKey,
  IconLanguage,
  IconListDetails,
  IconLogout,
  IconMessageChatbot,
  IconMoon,
  IconPlugConnected,
  IconSettings,
  IconSun,
  IconTicket,
  IconUserCircle,
  IconUsers,
  IconUsersGroup,
} from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { type ComponentType, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { api } from '../api/client.ts';
import type { Role } from '../api/types.ts';
import { atLeast, SELF_KEY, useUser } from '../auth.tsx';
import { LANGUAGES, setLanguage } from '../i18n/index.ts';
import { PageLoader } from '../ui/page.tsx';
import { Logo } from './logo.tsx';

interface NavItem {
  to: string;
  label:
    | 'dashboard'
    | 'playground'
    | 'tokens'
    | 'logs'
    | 'account'
    | 'channels'
    | 'users'
    | 'groups'
    | 'prices'
    | 'redemptions'
    | 'settings';
  icon: ComponentType<{ size?: number; stroke?: number }>;
  role: Role;
}

const USE: NavItem[] = [
  { to: '/', label: 'dashboard', icon: IconChartBar, role: 'user' },
  { to: '/playground', label: 'playground', icon: IconMessageChatbot, role: 'user' },
  { to: '/tokens', label: 'tokens', icon: IconKey, role: 'user' },
  { to: '/logs', label: 'logs', icon: IconListDetails, role: 'user' },
  { to: '/account', label: 'account', icon: IconUserCircle, role: 'user' },
];

const MANAGE: NavItem[] = [
  { to: '/channels', label: 'channels', icon: IconPlugConnected, role: 'admin' },
  { to: '/users', label: 'users', icon: IconUsers, role: 'admin' },
  { to: '/groups', label: 'groups', icon: IconUsersGroup, role: 'admin' },
  { to: '/prices', label: 'prices', icon: IconCoin, role: 'user' },
  { to: '/redemptions', label: 'redemptions', icon: IconTicket, role: 'admin' },
  { to: '/settings', label: 'settings', icon: IconSettings, role: 'root' },
];

function ThemeToggle() {
  const { t } = useTranslation();
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  return (
    <Tooltip label={t('theme.toggle')}>
      <ActionIcon
        variant="default"
        size="lg"
        aria-label={t('theme.toggle')}
        onClick={() => setColorScheme(scheme === 'dark' ? 'light' : 'dark')}
      >
        {scheme === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}

function LanguageMenu() {
  const { t, i18n } = useTranslation();
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="default" size="lg" aria-label={t('language.label')}>
          <IconLanguage size={18} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        {LANGUAGES.map((l) => (
          <Menu.Item
            key={l.value}
            onClick={() => setLanguage(l.value)}
            fw={i18n.language === l.value ? 700 : undefined}
          >
            {l.label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

function UserMenu() {
  const { t } = useTranslation();
  const user = useUser();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const logout = async () => {
    await api.post('/api/auth/logout').catch(() => undefined);
    queryClient.clear();
    queryClient.setQueryData(SELF_KEY, null);
    void navigate('/login');
  };
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <UnstyledButton aria-label={user.username} data-testid="user-menu">
          <Group gap={8} wrap="nowrap">
            <Avatar size={32} radius="xl" color="indigo">
              {user.username.slice(0, 2).toUpperCase()}
            </Avatar>
            <Text size="sm" fw={500} visibleFrom="sm">
              {user.display_name || user.username}
            </Text>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          {user.username} · {user.role}
        </Menu.Label>
        <Menu.Item component={Link} to="/account" leftSection={<IconUserCircle size={16} />}>
          {t('nav.account')}
        </Menu.Item>
        <Menu.Item color="red" leftSection={<IconLogout size={16} />} onClick={() => void logout()}>
          {t('action.logout')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

function NavSection({ title, items, onNavigate }: { title: string; items: NavItem[]; onNavigate: () => void }) {
  const { t } = useTranslation();
  const user = useUser();
  const { pathname } = useLocation();
  const visible = items.filter((item) => atLeast(user, item.role));
  if (!visible.length) return null;
  return (
    <>
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" mt="md" mb={4}>
        {title}
      </Text>
      {visible.map((item) => (
        <NavLink
          key={item.to}
          component={Link}
          to={item.to}
          label={t(`nav.${item.label}`)}
          leftSection={<item.icon size={18} stroke={1.6} />}
          active={item.to === '/' ? pathname === '/' : pathname.startsWith(item.to)}
          onClick={onNavigate}
          variant="light"
          style={{ borderRadius: 'var(--mantine-radius-md)' }}
        />
      ))}
    </>
  );
}

export function Shell() {
  const { t } = useTranslation();
  const [opened, { toggle, close }] = useDisclosure();
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 232, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding={{ base: 'sm', sm: 'lg' }}
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="menu" />
            <Link to="/" style={{ textDecoration: 'none', color: 'inherit' }}>
              <Logo />
            </Link>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <LanguageMenu />
            <ThemeToggle />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <AppShell.Section grow component={ScrollArea}>
          <NavSection title={t('nav.use')} items={USE} onNavigate={close} />
          <NavSection title={t('nav.manage')} items={MANAGE} onNavigate={close} />
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={<PageLoader />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
