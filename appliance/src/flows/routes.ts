/** `/api/flows` and `/api/services`: call flows as data (the graphical editor's API). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../admin/errors.js';
import { ErrorSchema } from '../http/schemas.js';
import type { FlowService } from './service.js';
import type { FlowStore } from './store.js';

const FlowId = Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$' });

export function flowRoutes(flows: FlowService, store: FlowStore): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/flows',
      {
        config: { permission: 'pbx:manage' },
        schema: { tags: ['flows'], summary: 'Flows and their published versions' },
      },
      async () => {
        const rows = await store.list();
        return {
          items: rows.map((r) => ({
            id: r.id,
            name: r.name,
            publishedVersion: r.published_version,
            updatedAt: r.updated_at,
          })),
        };
      },
    );

    app.get(
      '/api/flows/:id',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['flows'],
          summary: 'A flow with every version',
          params: Type.Object({ id: FlowId }),
        },
      },
      async (req) => {
        const flow = await store.get(req.params.id);
        if (!flow) throw new AppError(404, 'not_found', `No flow ${req.params.id}`);
        return {
          id: flow.id,
          name: flow.name,
          publishedVersion: flow.published_version,
          versions: await store.versions(flow.id),
        };
      },
    );

    app.post(
      '/api/flows/:id/versions',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['flows'],
          summary: 'Saves a new version (validated, not yet published)',
          params: Type.Object({ id: FlowId }),
          body: Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 100 }),
              graph: Type.Unknown({ description: 'The flow graph; see the flow model' }),
              note: Type.Optional(Type.String({ maxLength: 500 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ version: Type.Integer() }), 400: ErrorSchema },
        },
      },
      async (req, reply) => {
        const version = await flows.saveVersion(
          req.params.id,
          req.body.name,
          req.body.graph,
          req.body.note ?? null,
          req.session!.user.username,
        );
        return reply.status(201).send({ version });
      },
    );

    app.post(
      '/api/flows/:id/publish',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['flows'],
          summary: 'Publishes a version: renders the dialplan and reloads it',
          params: Type.Object({ id: FlowId }),
          body: Type.Object(
            { version: Type.Integer({ minimum: 1 }) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ publishedVersion: Type.Integer() }),
            400: ErrorSchema,
            404: ErrorSchema,
          },
        },
      },
      async (req) => {
        await flows.publish(req.params.id, req.body.version);
        return { publishedVersion: req.body.version };
      },
    );

    app.post(
      '/api/flows/:id/rollback',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['flows'],
          summary: 'Publishes the version before the published one',
          params: Type.Object({ id: FlowId }),
          response: { 200: Type.Object({ publishedVersion: Type.Integer() }), 409: ErrorSchema },
        },
      },
      async (req) => ({ publishedVersion: await flows.rollback(req.params.id) }),
    );

    app.get(
      '/api/services',
      {
        config: { permission: 'pbx:manage' },
        schema: { tags: ['flows'], summary: 'Service numbers and their flows' },
      },
      async () => {
        const map = await store.serviceFlows();
        return { items: Object.entries(map).map(([number, flowId]) => ({ number, flowId })) };
      },
    );

    app.put(
      '/api/services/:number/flow',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['flows'],
          summary: 'Points a service number at a published flow',
          params: Type.Object({ number: Type.String({ pattern: '^[0-9]{3,15}$' }) }),
          body: Type.Object(
            { flowId: Type.Union([FlowId, Type.Null()]) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              number: Type.String(),
              flowId: Type.Union([Type.String(), Type.Null()]),
            }),
            400: ErrorSchema,
            404: ErrorSchema,
          },
        },
      },
      async (req) => {
        await flows.setServiceFlow(req.params.number, req.body.flowId);
        return { number: req.params.number, flowId: req.body.flowId };
      },
    );
  };
}
