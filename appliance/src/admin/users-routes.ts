/** `/api/users`: the administrator creates accounts (ADM-36); the PBX follows at once. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorSchema } from '../http/schemas.js';
import type { AuditStore } from './audit-store.js';
import type { AuthService } from './auth-service.js';
import { AppError } from './errors.js';
import type { UserStore } from './users-store.js';

const Role = Type.Union([
  Type.Literal('operator'),
  Type.Literal('second_line'),
  Type.Literal('supervisor'),
  Type.Literal('administrator'),
  Type.Literal('observer'),
]);

export const NewUserBody = Type.Object(
  {
    username: Type.String({
      pattern: '^[a-z][a-z0-9._-]{1,31}$',
      description: 'lowercase login, 2–32 characters',
    }),
    displayName: Type.String({ minLength: 1, maxLength: 100 }),
    password: Type.String({ minLength: 10, maxLength: 256 }),
    role: Role,
    language: Type.Optional(
      Type.Union([Type.Literal('kk'), Type.Literal('ru'), Type.Literal('en')]),
    ),
    languages: Type.Optional(
      Type.Array(Type.Union([Type.Literal('kk'), Type.Literal('ru')]), {
        minItems: 1,
        uniqueItems: true,
      }),
    ),
    phoneType: Type.Optional(Type.Union([Type.Literal('webrtc'), Type.Literal('sip')])),
  },
  { additionalProperties: false },
);

export function userRoutes(
  auth: AuthService,
  users: UserStore,
  audit: AuditStore,
  syncPbx: () => Promise<void>,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/api/users',
      {
        config: { permission: 'users:manage' },
        schema: {
          tags: ['users'],
          summary: 'Creates a user; operators get a phone endpoint and queue membership',
          body: NewUserBody,
          response: {
            201: Type.Object({ id: Type.Integer(), username: Type.String() }),
            400: ErrorSchema,
            409: ErrorSchema,
          },
        },
      },
      async (req, reply) => {
        const b = req.body;
        if (
          (b.role === 'operator' || b.role === 'second_line') &&
          b.languages &&
          !b.languages.includes('kk')
        ) {
          throw new AppError(
            400,
            'validation',
            'body.languages: every operator speaks Kazakh (SVC-14)',
          );
        }
        if (await users.byUsername(b.username)) {
          throw new AppError(409, 'exists', `username ${b.username} is taken`);
        }
        const id = await auth.createUser({
          username: b.username,
          displayName: b.displayName,
          password: b.password,
          role: b.role,
          language: b.language ?? 'ru',
          ...(b.languages ? { languages: b.languages } : {}),
          ...(b.phoneType ? { phoneType: b.phoneType } : {}),
        });
        await audit.record({
          userId: req.session!.user.id,
          username: req.session!.user.username,
          action: 'user.created',
          target: b.username,
          details: { role: b.role },
          ip: req.ip,
        });
        await syncPbx();
        return reply.status(201).send({ id, username: b.username });
      },
    );
  };
}
