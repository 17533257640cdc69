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

const CallParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9.]+$' }),
});

const TargetSchema = Type.Union([
  Type.Object({ type: Type.Literal('operator'), value: Type.String() }),
  Type.Object({ type: Type.Literal('queue'), value: Type.String() }),
  Type.Object({ type: Type.Literal('external'), value: Type.String() }),
]);

const ConsultStateSchema = Type.Object({
  state: Type.Union([Type.Literal('none'), Type.Literal('ringing'), Type.Literal('talking')]),
  target: Type.Union([TargetSchema, Type.Null()]),
});

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
          params: CallParams,
          body: Type.Object({ target: Target }, { additionalProperties: false }),
        },
      },
      async (req, reply) => {
        await control.blindTransfer(req.session!.user.username, req.params.id, req.body.target);
        return reply.status(202).send({ transferred: true });
      },
    );

    // Attended transfer: consult first, then complete or cancel (Asterisk's Atxfer).
    app.post(
      '/api/calls/:id/consult',
      {
        config: { permission: 'softphone:use' },
        schema: {
          tags: ['calls'],
          summary:
            'Attended transfer, step one: the caller waits on music while you talk with a colleague, a queue or a number',
          params: CallParams,
          body: Type.Object({ target: Target }, { additionalProperties: false }),
          response: { 202: ConsultStateSchema },
        },
      },
      async (req, reply) => {
        const state = await control.consult(
          req.session!.user.username,
          req.params.id,
          req.body.target,
        );
        return reply.status(202).send(state);
      },
    );

    app.get(
      '/api/calls/:id/consult',
      {
        config: { permission: 'softphone:use' },
        schema: {
          tags: ['calls'],
          summary: 'Where your consultation in this call stands, as the PBX has it',
          params: CallParams,
          response: { 200: ConsultStateSchema },
        },
      },
      async (req) => control.consultState(req.session!.user.username, req.params.id),
    );

    app.post(
      '/api/calls/:id/consult/complete',
      {
        config: { permission: 'softphone:use' },
        schema: {
          tags: ['calls'],
          summary: 'Completes the attended transfer: you leave, the caller and the colleague talk',
          params: CallParams,
        },
      },
      async (req, reply) => {
        await control.completeConsult(req.session!.user.username, req.params.id);
        return reply.status(202).send({ transferred: true });
      },
    );

    app.post(
      '/api/calls/:id/consult/cancel',
      {
        config: { permission: 'softphone:use' },
        schema: {
          tags: ['calls'],
          summary:
            'Cancels the consultation: the colleague is dropped and you are back with the caller',
          params: CallParams,
        },
      },
      async (req, reply) => {
        await control.cancelConsult(req.session!.user.username, req.params.id);
        return reply.status(202).send({ cancelled: true });
      },
    );

    // Three-way conference (Asterisk's ConfBridge).
    app.post(
      '/api/calls/:id/conference',
      {
        config: { permission: 'softphone:use' },
        schema: {
          tags: ['calls'],
          summary:
            'Adds a colleague or a number to the call: the call becomes a conference of you, the caller and them',
          params: CallParams,
          body: Type.Object({ target: Target }, { additionalProperties: false }),
        },
      },
      async (req, reply) => {
        await control.conferenceAdd(req.session!.user.username, req.params.id, req.body.target);
        return reply.status(202).send({ dialling: true });
      },
    );

    app.get(
      '/api/calls/:id/conference',
      {
        config: { permission: 'softphone:use' },
        schema: {
          tags: ['calls'],
          summary: "Who is in the call's conference now",
          params: CallParams,
        },
      },
      async (req) => ({
        parties: await control.conferenceParties(req.session!.user.username, req.params.id),
      }),
    );

    app.post(
      '/api/calls/:id/conference/drop',
      {
        config: { permission: 'softphone:use' },
        schema: {
          tags: ['calls'],
          summary: 'Drops one party from the conference (to leave it yourself, hang up)',
          params: CallParams,
          body: Type.Object(
            { channel: Type.String({ minLength: 1, maxLength: 128 }) },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        await control.conferenceDrop(req.session!.user.username, req.params.id, req.body.channel);
        return reply.status(202).send({ dropped: true });
      },
    );

    app.get(
      '/api/callcontrol/directory',
      {
        config: { permission: 'softphone:use' },
        schema: {
          tags: ['calls'],
          summary:
            'Where a call can be transferred: colleagues (online or not), queues, branches, office staff',
        },
      },
      async (req) => {
        const [users, queues, branches, office] = await Promise.all([
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
          db
            .selectFrom('office_contacts')
            .select(['id', 'name', 'department', 'number'])
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
          office,
        };
      },
    );
  };
}
