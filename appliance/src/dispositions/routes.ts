/** `/api/calls/:id/disposition` and `/api/dispositions`: results of calls, per operator. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DISPOSITION_RESULTS, type Dispositions } from './service.js';

const CallId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9.]+$' });

export function dispositionRoutes(dispositions: Dispositions): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/dispositions/options',
      {
        config: { permission: 'softphone:use' },
        schema: {
          tags: ['calls'],
          summary: 'The results to choose from, and whether one is required',
        },
      },
      async () => ({ results: DISPOSITION_RESULTS, required: await dispositions.required() }),
    );

    app.put(
      '/api/dispositions/settings',
      {
        config: { permission: 'users:manage' },
        schema: {
          tags: ['calls'],
          summary: 'Whether a disposition is required before the next call',
          body: Type.Object({ required: Type.Boolean() }, { additionalProperties: false }),
        },
      },
      async (req) => {
        await dispositions.setRequired(req.body.required);
        return { required: req.body.required };
      },
    );

    app.put(
      '/api/calls/:id/disposition',
      {
        config: { permission: 'softphone:use' },
        schema: {
          tags: ['calls'],
          summary: 'Saves your disposition of a call you talked on (saving again replaces it)',
          params: Type.Object({ id: CallId }),
          body: Type.Object(
            {
              result: Type.Union(DISPOSITION_RESULTS.map((r) => Type.Literal(r))),
              topic: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
              comment: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
              ticketId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => dispositions.save(req.session!.user.username, req.params.id, req.body),
    );

    app.get(
      '/api/calls/:id/dispositions',
      {
        config: { permission: 'calls:read' },
        schema: {
          tags: ['calls'],
          summary: "The operators' dispositions of a call",
          params: Type.Object({ id: CallId }),
        },
      },
      async (req) => ({ items: await dispositions.forCall(req.params.id) }),
    );
  };
}
