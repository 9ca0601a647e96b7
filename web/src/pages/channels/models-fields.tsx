/** The form's models: chat and embedding models (typed, or fetched from the upstream) and the client → upstream map. */
import { Group, Stack, TagsInput, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel, ProviderType } from '../../api/types.ts';
import { FetchModels } from './fetch-models.tsx';
import { type ChannelForm, keyLines } from './form-values.ts';
import { PairRows } from './pair-rows.tsx';

export function ModelsFields({
  form,
  provider,
  channel,
}: {
  form: ChannelForm;
  provider: ProviderType | undefined;
  channel: Channel | null;
}) {
  const { t } = useTranslation('channels');
  const [suggestions, setSuggestions] = useState<string[]>([]);
  const v = form.values;
  // With no key typed, the API uses the stored channel's key.
  const upstreamRequest = () => {
    const [key] = keyLines(v.keys);
    const extra = Object.fromEntries(
      (provider?.settings ?? []).map((name) => [name, v.extra[name]?.trim() || undefined]),
    );
    return {
      type: v.type,
      ...(v.base_url.trim() ? { base_url: v.base_url.trim() } : {}),
      ...(key ? { key } : channel ? { channel_id: channel.id } : {}),
      ...extra,
    };
  };
  const modelInput = (field: 'models' | 'embedding_models') => ({
    data: suggestions.filter((m) => !v[field].includes(m)),
    splitChars: [',', ' ', '\n'],
    clearable: true,
    acceptValueOnBlur: true,
    maxDropdownHeight: 240,
    ...form.getInputProps(field),
  });
  return (
    <Stack gap="sm">
      <TagsInput
        label={t('form.models')}
        description={t('form.modelsHint')}
        placeholder={t('form.modelsPlaceholder')}
        {...modelInput('models')}
      />
      <Group gap="xs">
        {provider?.lists_models === false ? (
          <Text size="xs" c="dimmed">
            {t('fetch.unsupported')}
          </Text>
        ) : (
          <FetchModels
            request={upstreamRequest}
            current={v.models}
            onFetched={setSuggestions}
            onAdd={(models) => form.setFieldValue('models', [...v.models, ...models])}
          />
        )}
      </Group>
      <TagsInput
        label={t('form.embeddingModels')}
        description={t('form.embeddingModelsHint')}
        placeholder={t('form.modelsPlaceholder')}
        {...modelInput('embedding_models')}
      />
      <PairRows
        label={t('form.modelMap')}
        description={t('form.modelMapHint')}
        keyLabel={t('form.clientModel')}
        valueLabel={t('form.upstreamModel')}
        addLabel={t('form.addMapping')}
        testId="model-map"
        value={v.model_map}
        onChange={(pairs) => form.setFieldValue('model_map', pairs)}
        error={form.errors['model_map']}
      />
    </Stack>
  );
}
