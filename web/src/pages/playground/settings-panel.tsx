/** The playground's request settings: model, system prompt, sampling and the stream and thinking switches. */
import { Alert, Anchor, Group, NumberInput, Select, Slider, Stack, Switch, Text, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { PlaygroundModel } from '../../api/types.ts';
import type { ChatSettings } from './chat-request.ts';

export function SettingsPanel({
  models,
  settings,
  onChange,
}: {
  models: PlaygroundModel[];
  settings: ChatSettings;
  onChange: (change: Partial<ChatSettings>) => void;
}) {
  const { t } = useTranslation(['playground', 'common']);
  return (
    <Stack gap="md">
      {models.length === 0 ? (
        <Alert color="yellow" variant="light">
          {t('settings.noModels')}
        </Alert>
      ) : null}
      <Select
        label={t('settings.model')}
        placeholder={t('settings.modelPlaceholder')}
        data={models.map((m) => ({ value: m.id, label: m.id }))}
        value={settings.model || null}
        onChange={(model) => onChange({ model: model ?? '' })}
        searchable
        allowDeselect={false}
        nothingFoundMessage={t('settings.noModels')}
        data-testid="model-select"
      />
      <Textarea
        label={t('settings.system')}
        placeholder={t('settings.systemPlaceholder')}
        autosize
        minRows={2}
        maxRows={8}
        value={settings.system}
        onChange={(e) => onChange({ system: e.currentTarget.value })}
      />
      <Stack gap={4}>
        <Group justify="space-between" gap="xs">
          <Text size="sm" fw={500}>
            {t('settings.temperature')}{' '}
            <Text span c="dimmed" size="sm">
              {settings.temperature === null ? t('settings.temperatureDefault') : settings.temperature.toFixed(1)}
            </Text>
          </Text>
          {settings.temperature === null ? null : (
            <Anchor component="button" type="button" size="xs" onClick={() => onChange({ temperature: null })}>
              {t('common:action.reset')}
            </Anchor>
          )}
        </Group>
        <Slider
          aria-label={t('settings.temperature')}
          min={0}
          max={2}
          step={0.1}
          value={settings.temperature ?? 1}
          {...(settings.temperature === null ? { color: 'gray' } : {})}
          onChange={(temperature) => onChange({ temperature })}
          label={(v) => v.toFixed(1)}
        />
      </Stack>
      <NumberInput
        label={t('settings.maxTokens')}
        placeholder={t('settings.maxTokensPlaceholder')}
        min={1}
        max={1_000_000}
        allowDecimal={false}
        value={settings.maxTokens ?? ''}
        onChange={(v) => onChange({ maxTokens: typeof v === 'number' ? v : null })}
      />
      <Switch
        label={t('settings.stream')}
        checked={settings.stream}
        onChange={(e) => onChange({ stream: e.currentTarget.checked })}
      />
      <Switch
        label={t('settings.thinking')}
        checked={settings.thinking}
        onChange={(e) => onChange({ thinking: e.currentTarget.checked })}
      />
    </Stack>
  );
}
