/** `/api/auth`: sign in, sign out, who am I. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AuthService } from './auth-service.js';
import { ErrorSchema } from '../http/schemas.js';
import { SESSION_COOKIE } from '../http/guard.js';
import type { LiveHub } from '../http/live-hub.js';

export const UserSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.Union([
    Type.Literal('operator'),
    Type.Literal('second_line'),
    Type.Literal('supervisor'),
    Type.Literal('administrator'),
    Type.Literal('observer'),
  ]),
  permissions: Type.Array(Type.String()),
  language: Type.Union([Type.Literal('kk'), Type.Literal('ru'), Type.Literal('en')]),
});

const SessionReply = Type.Object({ user: UserSchema, csrfToken: Type.String() });

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export function authRoutes(auth: AuthService, hub: LiveHub): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/api/auth/login',
      {
        config: {
          public: true,
          noCsrf: true,
          rateLimit: { max: 30, timeWindow: '1 minute' },
        },
        schema: {
          tags: ['auth'],
          summary: 'Sign in; sets the session cookie',
          body: LoginBody,
          response: { 200: SessionReply, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema },
        },
      },
      async (req, reply) => {
        const { token, session, expiresAt } = await auth.login(
          req.body.username,
          req.body.password,
          {
            ip: req.ip,
            userAgent: req.headers['user-agent'] ?? null,
          },
        );
        void reply.setCookie(SESSION_COOKIE, token, {
          path: '/',
          httpOnly: true,
          secure: 'auto',
          sameSite: 'strict',
          expires: expiresAt,
        });
        return {
          user: { ...session.user, permissions: [...session.user.permissions] },
          csrfToken: session.csrfToken,
        };
      },
    );

    app.post(
      '/api/auth/logout',
      {
        config: { anyUser: true },
        schema: {
          tags: ['auth'],
          summary: 'Sign out',
          response: { 204: Type.Null(), 401: ErrorSchema },
        },
      },
      async (req, reply) => {
        const session = req.session!;
        await auth.logout(session, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
        hub.endSession(session.tokenHash);
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/auth/me',
      {
        config: { anyUser: true },
        schema: {
          tags: ['auth'],
          summary: 'The signed-in user',
          response: { 200: SessionReply, 401: ErrorSchema },
        },
      },
      async (req) => {
        const s = req.session!;
        return {
          user: { ...s.user, permissions: [...s.user.permissions] },
          csrfToken: s.csrfToken,
        };
      },
    );
  };
}
