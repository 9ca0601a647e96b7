/** A local date and time picked with the browser's own control, as unix ms (null when empty). */
import { TextInput, type TextInputProps } from '@mantine/core';

/** `YYYY-MM-DDTHH:mm` in the browser's time zone, as a datetime-local input shows it. */
export function localInputValue(ms: number): string {
  const local = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

type DateTimeInputProps = Omit<TextInputProps, 'type' | 'value' | 'onChange'> & {
  value: number | null;
  onChange: (ms: number | null) => void;
};

export function DateTimeInput({ value, onChange, ...props }: DateTimeInputProps) {
  return (
    <TextInput
      type="datetime-local"
      value={value === null ? '' : localInputValue(value)}
      onChange={(event) => {
        const ms = event.currentTarget.value ? new Date(event.currentTarget.value).getTime() : Number.NaN;
        onChange(Number.isFinite(ms) ? ms : null);
      }}
      {...props}
    />
  );
}
