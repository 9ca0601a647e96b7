/** The form's first part: what the channel is called, which API it speaks, where, with which keys and type settings. */
import { Autocomplete, Paper, Select, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Channel, ProviderType } from '../../api/types.ts';
import { KeyList } from './channel-cells.tsx';
import type { ChannelForm } from './form-values.ts';
import { baseUrlPresets, typeFilter, typeOptions } from './provider-options.ts';

/** Example values of type settings, by setting and type (technical values: not translated). */
const EXAMPLES: Record<string, Record<string, string>> = {
  api_version: { azure: '2024-10-21' },
  region: { bedrock: 'us-east-1', vertex: 'us-central1' },
  account_id: { cloudflare: '023e105f4ecef8ad9ca31a8372d0c353' },
  project: { vertex: 'my-project' },
};

/** Type settings the page has words for; others are shown by their own name. */
const KNOWN_SETTINGS = ['api_version', 'region', 'account_id', 'project'] as const;
type KnownSetting = (typeof KNOWN_SETTINGS)[number];
const isKnownSetting = (name: string): name is KnownSetting => KNOWN_SETTINGS.some((s) => s === name);

function BaseUrlField({
  form,
  provider,
  providers,
}: {
  form: ChannelForm;
  provider: ProviderType | undefined;
  providers: ProviderType[];
}) {
  const { t } = useTranslation('channels');
  const presets = baseUrlPresets(t, form.values.type, providers);
  const names = new Map(presets.flatMap((g) => g.items.map((i) => [i.url, i.name] as const)));
  const common = {
    label: t('form.baseUrl'),
    placeholder: provider?.default_base_url ?? 'https://…',
    description: provider?.default_base_url
      ? t('form.baseUrlDefault', { url: provider.default_base_url })
      : t('form.baseUrlNoDefault'),
    ...form.getInputProps('base_url'),
  };
  if (!presets.length) return <TextInput {...common} />;
  return (
    <Autocomplete
      {...common}
      description={t('form.baseUrlPresets')}
      data={presets.map((g) => ({ group: g.group, items: g.items.map((i) => i.url) }))}
      renderOption={({ option }) => (
        <Stack gap={0}>
          <Text size="sm">{names.get(option.value)}</Text>
          <Text size="xs" c="dimmed">
            {option.value}
          </Text>
        </Stack>
      )}
      maxDropdownHeight={300}
    />
  );
}

export function ConnectionFields({
  form,
  provider,
  providers,
  channel,
}: {
  form: ChannelForm;
  provider: ProviderType | undefined;
  providers: ProviderType[];
  /** The channel being edited; null when making one. */
  channel: Channel | null;
}) {
  const { t } = useTranslation('channels');
  const keyHelp = [
    provider?.key_format ? t('form.keyFormat', { format: provider.key_format }) : null,
    channel ? t('form.keysKeep', { count: channel.keys.length }) : t('form.keysOnePerLine'),
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <Stack gap="sm">
      <TextInput
        label={t('form.name')}
        description={t('form.nameHint')}
        required
        data-autofocus
        {...form.getInputProps('name')}
      />
      <Select
        label={t('form.type')}
        required
        searchable
        allowDeselect={false}
        nothingFoundMessage={t('form.noType')}
        data={typeOptions(t, providers, form.values.type)}
        filter={typeFilter}
        maxDropdownHeight={360}
        renderOption={({ option }) => (
          <Stack gap={0}>
            <Text size="sm">{option.label}</Text>
            <Text size="xs" c="dimmed" ff="monospace">
              {option.value}
            </Text>
          </Stack>
        )}
        {...form.getInputProps('type')}
      />
      <BaseUrlField form={form} provider={provider} providers={providers} />
      {provider?.settings.length ? (
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          {provider.settings.map((name) => (
            <TextInput
              key={name}
              label={isKnownSetting(name) ? t(`extra.${name}.label`) : name}
              description={isKnownSetting(name) ? t(`extra.${name}.hint`) : undefined}
              placeholder={EXAMPLES[name]?.[form.values.type]}
              {...form.getInputProps(`extra.${name}`)}
            />
          ))}
        </SimpleGrid>
      ) : null}
      {channel?.keys.length ? (
        <Paper withBorder p="xs" radius="md">
          <Text size="sm" fw={500} mb={6}>
            {t('form.currentKeys', { count: channel.keys.length })}
          </Text>
          <KeyList keys={channel.keys} />
        </Paper>
      ) : null}
      <Textarea
        label={channel ? t('form.newKeys') : t('form.keys')}
        description={keyHelp}
        placeholder={channel ? t('form.keysKeepPlaceholder') : t('form.keysPlaceholder')}
        required={!channel && provider?.requires_key === true && !form.values.base_url.trim()}
        autosize
        minRows={2}
        maxRows={8}
        spellCheck={false}
        autoComplete="off"
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        {...form.getInputProps('keys')}
      />
    </Stack>
  );
}
