/** Inputs for amounts of US dollars: a plain amount, and a balance that may be unlimited. */
import { Group, Input, NumberInput, type NumberInputProps, Switch } from '@mantine/core';
import { type ReactNode, useRef } from 'react';
import { useTranslation } from 'react-i18next';

/** A USD amount (never negative, cents and the fractions prices need). */
export function UsdInput(props: NumberInputProps) {
  return <NumberInput prefix="$" min={0} decimalScale={6} thousandSeparator="," allowNegative={false} {...props} />;
}

/** A balance or limit in USD, or none: `null` is unlimited, `''` is nothing entered yet. */
export type QuotaValue = number | string | null;

export function QuotaInput({
  label,
  description,
  value,
  onChange,
  error,
  placeholder,
}: {
  label: string;
  description?: ReactNode;
  value: QuotaValue;
  onChange: (value: QuotaValue) => void;
  error?: ReactNode;
  placeholder?: string;
}) {
  const { t } = useTranslation();
  // Turning "unlimited" off again brings back the amount that was there before.
  const lastAmount = useRef<number | string>(value ?? '');
  const unlimited = value === null;
  return (
    <Input.Wrapper label={label} description={description} error={error}>
      <Group gap="sm" wrap="nowrap" align="center" mt={description ? 4 : 0}>
        <UsdInput
          aria-label={label}
          style={{ flex: 1 }}
          value={unlimited ? '' : value}
          onChange={(amount) => {
            lastAmount.current = amount;
            onChange(amount);
          }}
          disabled={unlimited}
          placeholder={unlimited ? t('state.unlimited') : placeholder}
          error={Boolean(error)}
        />
        <Switch
          label={t('state.unlimited')}
          checked={unlimited}
          onChange={(event) => onChange(event.currentTarget.checked ? null : lastAmount.current)}
          style={{ flexShrink: 0 }}
        />
      </Group>
    </Input.Wrapper>
  );
}

/** The number a filled-in amount stands for; `''` (nothing entered) is undefined. */
export function amountOf(value: number | string): number | undefined {
  if (value === '') return undefined;
  const amount = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(amount) ? amount : undefined;
}
