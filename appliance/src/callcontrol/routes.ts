/** `/api/calls/:id/transfer` and `/api/callcontrol/directory`: the softphone's call control. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Db } from '../db/database.js';
import type { CallControl, CallControlPbx } from './service.js';

const Target = Type.Union([
  Type.Object(
    { type: Type.Literal('operator'), value: Type.String({ minLength: 1, maxLength: 64 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('queue'), value: Type.String({ minLength: 1, maxLength: 32 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('external'), value: Type.String({ minLength: 1, maxLength: 40 }) },
    { additionalProperties: false },
  ),
]);

export function callControlRoutes(
  control: CallControl,
  db: Db,
  pbx: () => CallControlPbx | null,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/api/calls/:id/transfer',
      {
        config: { permission: 'softphone:use' },
        schema: {
          tags: ['calls'],
          summary:
            'Blind transfer: sends the caller of a call you are on to a colleague, a queue or a number',
          params: Type.Object({
            id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9.]+$' }),
          }),
          body: Type.Object({ target: Target }, { additionalProperties: false }),
        },
      },
      async (req, reply) => {
        await control.blindTransfer(req.session!.user.username, req.params.id, req.body.target);
        return reply.status(202).send({ transferred: true });
      },
    );

    app.get(
      '/api/callcontrol/directory',
      {
        config: { permission: 'softphone:use' },
        schema: {
          tags: ['calls'],
          summary: 'Where a call can be transferred: colleagues (online or not), queues, branches',
        },
      },
      async (req) => {
        const [users, queues, branches] = await Promise.all([
          db
            .selectFrom('users')
            .select(['username', 'display_name', 'role'])
            .where('enabled', '=', 1)
            .where('sip_secret', 'is not', null)
            .orderBy('display_name')
            .execute(),
          db.selectFrom('queues').select(['name', 'title']).orderBy('name').execute(),
          db
            .selectFrom('branches')
            .select(['id', 'name', 'region', 'number'])
            .orderBy('name')
            .execute(),
        ]);
        const online = new Set<string>();
        const link = pbx();
        if (link) {
          const contacts = await link
            .actionList({ Action: 'PJSIPShowContacts' }, 'ContactListComplete')
            .catch(() => []);
          for (const c of contacts) {
            if (c.Endpoint && c.Status !== 'Unreachable') online.add(c.Endpoint);
          }
        }
        const me = req.session!.user.username;
        return {
          operators: users
            .filter((u) => u.username !== me)
            .map((u) => ({
              username: u.username,
              displayName: u.display_name,
              role: u.role,
              online: online.has(u.username),
            })),
          queues: queues.map((q) => ({ name: q.name, title: q.title })),
          branches,
        };
      },
    );
  };
}
