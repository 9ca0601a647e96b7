/** The form's routing part: order and share among channels, who it serves, its limits, and how requests are sent. */
import { Input, MultiSelect, NumberInput, SegmentedControl, SimpleGrid, Stack, Switch, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ChannelForm, ProxyMode } from './form-values.ts';
import { PairRows } from './pair-rows.tsx';
import { useGroups } from './queries.ts';

export function RoutingFields({ form, creating }: { form: ChannelForm; creating: boolean }) {
  const { t } = useTranslation('channels');
  const groups = useGroups();
  const groupNames = groups.data?.map((g) => g.name) ?? [];
  return (
    <Stack gap="sm">
      <SimpleGrid cols={2} spacing="sm">
        <NumberInput label={t('form.priority')} allowDecimal={false} {...form.getInputProps('priority')} />
        <NumberInput label={t('form.weight')} min={0} decimalScale={3} {...form.getInputProps('weight')} />
      </SimpleGrid>
      <Input.Description mt={-6}>{t('form.priorityHint')}</Input.Description>
      <MultiSelect
        label={t('form.groups')}
        description={t('form.groupsHint')}
        placeholder={form.values.groups.length ? undefined : t('form.allGroups')}
        // Keep groups the channel names even when they are no longer defined, so saving does not drop them.
        data={[...new Set([...groupNames, ...form.values.groups])]}
        searchable
        clearable
        nothingFoundMessage={groups.isError ? t('form.groupsUnavailable') : t('form.noGroup')}
        {...form.getInputProps('groups')}
      />
      {creating ? (
        <Switch
          label={t('form.enabled')}
          description={t('form.enabledHint')}
          {...form.getInputProps('enabled', { type: 'checkbox' })}
        />
      ) : null}
    </Stack>
  );
}

export function LimitFields({ form }: { form: ChannelForm }) {
  const { t } = useTranslation('channels');
  const count = (field: 'rps' | 'rpm' | 'concurrency', label: string) => (
    <NumberInput label={label} placeholder={t('form.noLimit')} min={0} {...form.getInputProps(`limits.${field}`)} />
  );
  const time = (field: 'timeout' | 'queue_timeout', label: string, hint: string, example: string) => (
    <TextInput label={label} description={hint} placeholder={example} {...form.getInputProps(`limits.${field}`)} />
  );
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
        {count('rps', t('form.rps'))}
        {count('rpm', t('form.rpm'))}
        {count('concurrency', t('form.concurrency'))}
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
        {time('timeout', t('form.timeout'), t('form.timeoutHint'), '60s')}
        {time('queue_timeout', t('form.queueTimeout'), t('form.queueTimeoutHint'), '10s')}
      </SimpleGrid>
    </Stack>
  );
}

const PROXY_MODES: ProxyMode[] = ['global', 'none', 'custom'];

export function RequestFields({ form }: { form: ChannelForm }) {
  const { t } = useTranslation('channels');
  return (
    <Stack gap="sm">
      <Input.Wrapper label={t('form.proxy')} description={t('form.proxyHint')}>
        <SegmentedControl
          mt={6}
          fullWidth
          aria-label={t('form.proxy')}
          data={PROXY_MODES.map((mode) => ({ value: mode, label: t(`form.proxyMode.${mode}`) }))}
          value={form.values.proxy_mode}
          onChange={(value) => form.setFieldValue('proxy_mode', PROXY_MODES.find((m) => m === value) ?? 'global')}
        />
      </Input.Wrapper>
      {form.values.proxy_mode === 'custom' ? (
        <TextInput
          aria-label={t('form.proxyUrl')}
          placeholder="socks5://127.0.0.1:1080"
          {...form.getInputProps('proxy_url')}
        />
      ) : null}
      <Switch
        label={t('form.systemRole')}
        description={t('form.systemRoleHint')}
        {...form.getInputProps('system_role', { type: 'checkbox' })}
      />
      <Switch
        label={t('form.logContent')}
        description={t('form.logContentHint')}
        {...form.getInputProps('log_content', { type: 'checkbox' })}
      />
      <PairRows
        label={t('form.headers')}
        description={t('form.headersHint')}
        keyLabel={t('form.headerName')}
        valueLabel={t('form.headerValue')}
        addLabel={t('form.addHeader')}
        testId="headers"
        value={form.values.headers}
        onChange={(pairs) => form.setFieldValue('headers', pairs)}
        error={form.errors['headers']}
      />
    </Stack>
  );
}
