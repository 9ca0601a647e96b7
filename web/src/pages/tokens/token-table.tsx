/** The keys as a table: spend, limits and expiry at a glance; a key's name opens it, its menu holds the rest. */
import { Anchor, Badge, Code, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Token } from '../../api/types.ts';
import { StatusBadge } from '../../ui/page.tsx';
import { userName } from '../../ui/user-select.tsx';
import { AccessCell, ActivityCell, ExpiryCell, LimitsCell, QuotaCell } from './token-cells.tsx';
import { TokenMenu } from './token-menu.tsx';

/**
 * The menu column stays in view while a narrow screen scrolls the rest sideways. A sticky cell's background hides the
 * row's border (collapsed borders), so it draws the divider itself, as Mantine's sticky header does; the last row has none.
 */
const stickyEnd = (divider: boolean) =>
  ({
    position: 'sticky',
    right: 0,
    background: 'var(--mantine-color-body)',
    ...(divider ? { boxShadow: 'inset 0 -1px 0 var(--table-border-color)' } : {}),
  }) as const;

interface TokenTableProps {
  tokens: Token[];
  /** Owners' names by user id, for admins (who see everyone's keys); null hides the owner column. */
  owners: Map<number, string> | null;
  onOpen: (token: Token) => void;
}

export function TokenTable({ tokens, owners, onOpen }: TokenTableProps) {
  const { t } = useTranslation('tokens');
  const now = Date.now();
  return (
    <Table.ScrollContainer minWidth={owners ? 900 : 820}>
      <Table verticalSpacing="sm" data-testid="token-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('column.name')}</Table.Th>
            {owners ? <Table.Th>{t('column.owner')}</Table.Th> : null}
            <Table.Th>{t('column.status')}</Table.Th>
            <Table.Th>{t('column.quota')}</Table.Th>
            <Table.Th>{t('column.expires')}</Table.Th>
            <Table.Th>{t('column.access')}</Table.Th>
            <Table.Th>{t('column.limits')}</Table.Th>
            <Table.Th>{t('column.activity')}</Table.Th>
            <Table.Th w={44} style={stickyEnd(true)}>
              <VisuallyHidden>{t('column.actions')}</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tokens.map((token, index) => (
            <Table.Tr key={token.id} data-testid={`token-row-${token.id}`}>
              <Table.Td>
                <Stack gap={4} align="flex-start">
                  <Group gap={6} wrap="nowrap">
                    <Anchor
                      component="button"
                      type="button"
                      fw={600}
                      size="sm"
                      onClick={() => onOpen(token)}
                      aria-label={t('open', { name: token.name })}
                    >
                      {token.name}
                    </Anchor>
                    {token.source === 'config' ? (
                      <Badge size="xs" variant="outline" color="gray">
                        {t('configBadge')}
                      </Badge>
                    ) : null}
                  </Group>
                  <Code style={{ whiteSpace: 'nowrap' }}>{token.key_hint}</Code>
                </Stack>
              </Table.Td>
              {owners ? (
                <Table.Td>
                  <Text size="sm">{userName(owners, token.user_id)}</Text>
                </Table.Td>
              ) : null}
              <Table.Td style={{ minWidth: 110 }}>
                <StatusBadge status={token.status} />
              </Table.Td>
              <Table.Td>
                <QuotaCell token={token} />
              </Table.Td>
              <Table.Td>
                <ExpiryCell expiresAt={token.expires_at} now={now} />
              </Table.Td>
              <Table.Td style={{ minWidth: 170 }}>
                <AccessCell token={token} />
              </Table.Td>
              <Table.Td>
                <LimitsCell token={token} />
              </Table.Td>
              <Table.Td>
                <ActivityCell token={token} now={now} />
              </Table.Td>
              <Table.Td style={stickyEnd(index < tokens.length - 1)}>
                <TokenMenu token={token} onOpen={onOpen} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
