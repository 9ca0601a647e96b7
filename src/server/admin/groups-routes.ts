/** User groups and their price ratios (root changes them; admins read them). */
import { z } from 'zod';
import { Forbidden } from '../../core/errors.ts';
import { type AdminRoute, conflict, notFound, route } from './api.ts';

export const groupShape = z.object({
  name: z.string(),
  ratio: z.number(),
  description: z.string(),
  users: z.number().int(),
});
const groupBody = z
  .object({ ratio: z.number().positive().max(1000), description: z.string().max(1024).default('') })
  .strict();

const listGroups = route({
  method: 'GET',
  url: '/api/groups',
  tag: 'groups',
  summary: 'User groups with their price ratios',
  access: 'admin',
  response: z.array(groupShape),
  handler: async ({ gw }) => {
    const rows = await gw.store.db
      .selectFrom('groups')
      .leftJoin('users', 'users.group_name', 'groups.name')
      .select([
        'groups.name',
        'groups.ratio',
        'groups.description',
        (eb) => eb.fn.count<number>('users.id').as('users'),
      ])
      .groupBy(['groups.name', 'groups.ratio', 'groups.description'])
      .orderBy('groups.name')
      .execute();
    return rows.map((g) => ({ ...g, users: Number(g.users) }));
  },
});

const createGroup = route({
  method: 'POST',
  url: '/api/groups',
  tag: 'groups',
  summary: 'Make a group (root)',
  access: 'root',
  body: groupBody.extend({ name: z.string().regex(/^[\w.-]{1,64}$/, 'letters, digits, _ . - (at most 64)') }),
  status: 201,
  response: groupShape,
  handler: async ({ gw, body }) => {
    const exists = await gw.store.db
      .selectFrom('groups')
      .select('name')
      .where('name', '=', body.name)
      .executeTakeFirst();
    if (exists) throw conflict(`The group '${body.name}' exists.`);
    await gw.store.db
      .insertInto('groups')
      .values({ name: body.name, ratio: body.ratio, description: body.description, created_at: Date.now() })
      .execute();
    return { name: body.name, ratio: body.ratio, description: body.description, users: 0 };
  },
});

const groupParams = z.object({ name: z.string().min(1).max(191) });

const updateGroup = route({
  method: 'PUT',
  url: '/api/groups/:name',
  tag: 'groups',
  summary: 'Change a group’s ratio or description (root)',
  access: 'root',
  params: groupParams,
  body: groupBody,
  response: z.object({ name: z.string(), ratio: z.number(), description: z.string() }),
  handler: async ({ gw, params, body }) => {
    const result = await gw.store.db
      .updateTable('groups')
      .set({ ratio: body.ratio, description: body.description })
      .where('name', '=', params.name)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound('group');
    gw.accountsChanged();
    return { name: params.name, ...body };
  },
});

const deleteGroup = route({
  method: 'DELETE',
  url: '/api/groups/:name',
  tag: 'groups',
  summary: 'Delete an empty group (root; not `default`)',
  access: 'root',
  params: groupParams,
  response: z.object({ ok: z.literal(true) }),
  handler: async ({ gw, params }) => {
    if (params.name === 'default') throw new Forbidden('The default group cannot be deleted.', 'default_group');
    const member = await gw.store.db
      .selectFrom('users')
      .select('id')
      .where('group_name', '=', params.name)
      .executeTakeFirst();
    if (member) throw conflict(`The group '${params.name}' still has users.`);
    const result = await gw.store.db.deleteFrom('groups').where('name', '=', params.name).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound('group');
    return { ok: true as const };
  },
});

export const GROUP_ROUTES: readonly AdminRoute[] = [listGroups, createGroup, updateGroup, deleteGroup];
