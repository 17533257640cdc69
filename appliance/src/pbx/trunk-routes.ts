/**
 * `/api/trunks` and `/api/branches`: the carrier trunk (the addresses it calls from, where calls
 * out go) and the customer's branches, external numbers per region that calls are transferred to
 * (SVC-31.5). Changes to the trunk are rendered and reloaded at once.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { isIP } from 'node:net';
import { ErrorSchema } from '../http/schemas.js';
import { AppError } from '../admin/errors.js';
import type { Db } from '../db/database.js';
import type { PbxStore } from './store.js';

const Address = Type.String({
  minLength: 2,
  maxLength: 64,
  description: 'IP address or CIDR range',
});
const PhoneNumber = Type.String({
  pattern: '^\\+?[0-9]{3,15}$',
  description: 'external number as dialled',
});

function validAddress(a: string): boolean {
  const [ip, bits, ...rest] = a.split('/');
  if (rest.length || !ip) return false;
  const family = isIP(ip);
  if (!family) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n >= 0 && n <= (family === 4 ? 32 : 128);
}

export function trunkRoutes(
  db: Db,
  store: PbxStore,
  syncPbx: () => Promise<void>,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/trunks',
      {
        config: { permission: 'pbx:manage' },
        schema: { tags: ['pbx'], summary: 'Carrier trunks' },
      },
      async () => ({ items: await store.trunks() }),
    );

    app.put(
      '/api/services/:number/outbound-caller-id',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['pbx'],
          summary:
            'The number called parties see when an operator calls out for this service (null: the service number itself)',
          params: Type.Object({ number: Type.String({ pattern: '^[0-9]{3,15}$' }) }),
          body: Type.Object(
            {
              callerId: Type.Union([
                Type.String({
                  pattern: '^[0-9]{5,15}$',
                  description: 'Digits as the carrier expects them, e.g. 77272581500',
                }),
                Type.Null(),
              ]),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ number: Type.String(), callerId: Type.String() }),
            400: ErrorSchema,
            404: ErrorSchema,
          },
        },
      },
      async (req) => {
        if (!(await store.setOutboundCallerId(req.params.number, req.body.callerId))) {
          throw new AppError(404, 'not_found', `number: no service ${req.params.number}`);
        }
        await syncPbx();
        return { number: req.params.number, callerId: req.body.callerId ?? req.params.number };
      },
    );

    app.put(
      '/api/trunks/:name',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['pbx'],
          summary: 'Creates or changes a trunk: the carrier addresses and where calls out go',
          params: Type.Object({ name: Type.String({ pattern: '^[a-z][a-z0-9-]{1,31}$' }) }),
          body: Type.Object(
            {
              matchAddresses: Type.Array(Address, { minItems: 1, maxItems: 32 }),
              outboundUri: Type.Union([
                Type.String({ pattern: '^sips?:[A-Za-z0-9.:\\[\\]-]{3,100}$' }),
                Type.Null(),
              ]),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => {
        const bad = req.body.matchAddresses.findIndex((a) => !validAddress(a));
        if (bad >= 0) {
          throw new AppError(
            400,
            'validation',
            `body.matchAddresses[${bad}]: ${req.body.matchAddresses[bad]} is not an IP address or range`,
          );
        }
        await store.upsertTrunk(req.params.name, req.body.matchAddresses);
        await store.setTrunkOutbound(req.params.name, req.body.outboundUri);
        await syncPbx();
        return { name: req.params.name, ...req.body };
      },
    );

    // The customer's office staff (OP-32: transfer to an office employee), by name and number.
    app.get(
      '/api/office-contacts',
      {
        config: { permission: 'directory:read' },
        schema: { tags: ['pbx'], summary: "The customer's office staff and their numbers" },
      },
      async () => ({
        items: (await db.selectFrom('office_contacts').selectAll().orderBy('name').execute()).map(
          (c) => ({ id: c.id, name: c.name, department: c.department, number: c.number }),
        ),
      }),
    );

    app.post(
      '/api/office-contacts',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['pbx'],
          summary: 'Adds an office employee to the transfer directory',
          body: Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 120 }),
              department: Type.Optional(Type.String({ maxLength: 120 })),
              number: PhoneNumber,
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const r = await db
          .insertInto('office_contacts')
          .values({
            name: req.body.name.trim(),
            department: req.body.department?.trim() || null,
            number: req.body.number,
            created_at: new Date().toISOString(),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return reply.status(201).send({ id: r.id, ...req.body });
      },
    );

    app.delete(
      '/api/office-contacts/:id',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['pbx'],
          summary: 'Removes an office employee from the transfer directory',
          params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        },
      },
      async (req, reply) => {
        const r = await db
          .deleteFrom('office_contacts')
          .where('id', '=', req.params.id)
          .executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) {
          throw new AppError(404, 'not_found', `id: no office contact ${req.params.id}`);
        }
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/branches',
      {
        // Staff transfer calls to branches; the customer's observer has no business here.
        config: { permission: 'directory:read' },
        schema: { tags: ['pbx'], summary: "The customer's branches and their numbers, by region" },
      },
      async () => ({
        items: await db
          .selectFrom('branches')
          .selectAll()
          .orderBy('region')
          .orderBy('name')
          .execute(),
      }),
    );

    app.post(
      '/api/branches',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['pbx'],
          summary: 'Adds a branch number',
          body: Type.Object(
            {
              region: Type.String({ minLength: 1, maxLength: 80 }),
              regionId: Type.Optional(
                Type.String({ maxLength: 40, description: 'The region it serves (tickets)' }),
              ),
              name: Type.String({ minLength: 1, maxLength: 120 }),
              number: PhoneNumber,
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const { regionId, ...branch } = req.body;
        if (regionId) {
          const known = await db
            .selectFrom('regions')
            .select('id')
            .where('id', '=', regionId)
            .executeTakeFirst();
          if (!known) {
            throw new AppError(400, 'validation', `regionId: unknown region "${regionId}"`, {
              field: 'regionId',
            });
          }
        }
        const r = await db
          .insertInto('branches')
          .values({ ...branch, region_id: regionId ?? null })
          .returning('id')
          .executeTakeFirstOrThrow();
        return reply.status(201).send({ id: r.id, ...req.body });
      },
    );

    app.delete(
      '/api/branches/:id',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['pbx'],
          summary: 'Removes a branch number',
          params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        },
      },
      async (req, reply) => {
        const r = await db
          .deleteFrom('branches')
          .where('id', '=', req.params.id)
          .executeTakeFirst();
        if (Number(r.numDeletedRows) === 0)
          throw new AppError(404, 'not_found', `No branch ${req.params.id}`);
        return reply.status(204).send();
      },
    );
  };
}
