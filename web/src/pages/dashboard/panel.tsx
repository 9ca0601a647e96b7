/** The frame of every dashboard section: a bordered card with a title, an optional line under it and controls. */
import { Group, Paper, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

export function Panel({
  title,
  description,
  actions,
  children,
  testId,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  testId: string;
}) {
  return (
    <Paper withBorder radius="md" p="md" h="100%" data-testid={testId} component="section">
      <Stack gap="md" h="100%">
        <Group justify="space-between" align="flex-start" gap="xs" wrap="wrap">
          {/* Grows beside the actions, and lets them wrap below it only when both cannot share a line. */}
          <Stack gap={2} style={{ flex: '1 1 12rem', minWidth: 0 }}>
            <Text fw={600} size="sm">
              {title}
            </Text>
            {description ? (
              <Text size="xs" c="dimmed">
                {description}
              </Text>
            ) : null}
          </Stack>
          {actions}
        </Group>
        {children}
      </Stack>
    </Paper>
  );
}

/** One figure with its name above it, for the small stat rows inside a panel. */
export function Figure({
  label,
  value,
  color = 'var(--mantine-color-text)',
}: {
  label: string;
  value: ReactNode;
  color?: string;
}) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600} size="lg" c={color} style={{ fontVariantNumeric: 'tabular-nums' }}>
        {value}
      </Text>
    </Stack>
  );
}
