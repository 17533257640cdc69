/** `/api/prompts`: list, upload a new version (raw audio body), restore a version. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorSchema } from '../http/schemas.js';
import { AUDIO_TYPES, type PromptService } from './service.js';

const Params = Type.Object({
  language: Type.Union([Type.Literal('kk'), Type.Literal('ru')]),
  name: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,47}$' }),
});

export function promptRoutes(prompts: PromptService): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Uploads arrive as the raw audio body; anything else is refused by the service with 415.
    app.addContentTypeParser(
      [...Object.keys(AUDIO_TYPES), 'application/octet-stream'],
      { parseAs: 'buffer', bodyLimit: 20 * 1024 * 1024 },
      (_req, body, done) => done(null, body),
    );

    app.get(
      '/api/prompts',
      {
        config: { permission: 'pbx:manage' },
        schema: { tags: ['prompts'], summary: 'Every prompt version' },
      },
      async () => ({ items: await prompts.list() }),
    );

    app.put(
      '/api/prompts/:language/:name',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['prompts'],
          summary:
            'Uploads a new version (audio/wav, audio/mpeg or audio/ogg body) and makes it active',
          params: Params,
          response: {
            201: Type.Object({ version: Type.Integer() }),
            415: ErrorSchema,
            422: ErrorSchema,
          },
        },
      },
      async (req, reply) => {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const version = await prompts.upload(
          req.params.name,
          req.params.language,
          body,
          req.headers['content-type'] ?? '',
          req.session!.user.username,
        );
        return reply.status(201).send({ version });
      },
    );

    app.post(
      '/api/prompts/:language/:name/versions/:version/activate',
      {
        config: { permission: 'pbx:manage' },
        schema: {
          tags: ['prompts'],
          summary: 'Restores a stored version as the active one',
          params: Type.Object({ ...Params.properties, version: Type.Integer({ minimum: 1 }) }),
          response: { 200: Type.Object({ active: Type.Integer() }), 404: ErrorSchema },
        },
      },
      async (req) => {
        await prompts.activate(req.params.name, req.params.language, req.params.version);
        return { active: req.params.version };
      },
    );
  };
}
