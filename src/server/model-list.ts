/** The models a client may use (served, aliases, virtual), as /v1/models and the admin playground list them. */
import type { Gateway } from '../gateway.ts';
import type { Client } from './auth.ts';

const STARTED = Math.floor(Date.now() / 1000);

export interface ListedModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/** A model as Anthropic's Models API describes it. */
export function anthropicModel(m: { id: string }): Record<string, string> {
  return { type: 'model', id: m.id, display_name: m.id, created_at: new Date(STARTED * 1000).toISOString() };
}

export function visibleModels(gw: Gateway, client: Client): ListedModel[] {
  return [
    ...gw.router.modelNames(client.account?.group),
    ...gw.virtual.names.map((id) => ({ id, ownedBy: 'switchyard' })),
  ]
    .filter((m) => !client.models || client.models.has(m.id))
    .map((m) => ({ id: m.id, object: 'model', created: STARTED, owned_by: m.ownedBy }));
}
