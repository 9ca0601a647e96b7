/** An editor for name → value rows (the model map, extra headers): add a row, change it, take it out. */
import { ActionIcon, Button, Group, Input, Stack, TextInput } from '@mantine/core';
import { IconArrowRight, IconPlus, IconTrash } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { newPair, type Pair } from './form-values.ts';

export function PairRows({
  label,
  description,
  keyLabel,
  valueLabel,
  addLabel,
  value,
  onChange,
  error,
  testId,
}: {
  label: string;
  description: ReactNode;
  keyLabel: string;
  valueLabel: string;
  addLabel: string;
  value: Pair[];
  onChange: (pairs: Pair[]) => void;
  error?: ReactNode;
  testId: string;
}) {
  const { t } = useTranslation('channels');
  const change = (id: string, part: Partial<Pair>) => onChange(value.map((p) => (p.id === id ? { ...p, ...part } : p)));
  return (
    <Input.Wrapper label={label} description={description} error={error} data-testid={testId}>
      <Stack gap={6} mt={6}>
        {value.map((pair, i) => (
          <Group key={pair.id} gap={6} wrap="nowrap" align="center">
            <TextInput
              aria-label={`${keyLabel} ${i + 1}`}
              placeholder={keyLabel}
              value={pair.key}
              onChange={(e) => change(pair.id, { key: e.currentTarget.value })}
              style={{ flex: 1 }}
              miw={0}
            />
            <IconArrowRight size={14} color="var(--mantine-color-dimmed)" style={{ flexShrink: 0 }} />
            <TextInput
              aria-label={`${valueLabel} ${i + 1}`}
              placeholder={valueLabel}
              value={pair.value}
              onChange={(e) => change(pair.id, { value: e.currentTarget.value })}
              style={{ flex: 1 }}
              miw={0}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={t('form.removeRow', { what: label, row: i + 1 })}
              onClick={() => onChange(value.filter((p) => p.id !== pair.id))}
            >
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        ))}
        <Group>
          <Button
            variant="subtle"
            size="compact-sm"
            leftSection={<IconPlus size={14} />}
            onClick={() => onChange([...value, newPair()])}
          >
            {addLabel}
          </Button>
        </Group>
      </Stack>
    </Input.Wrapper>
  );
}
