/**
 * `/api/agents`: operator statuses (OP-32). The operator reads and sets their own; the supervisor
 * sees the floor and the status log and may set an operator's status; the administrator keeps
 * the pause reasons and the after-call-work length.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../admin/errors.js';
import { ErrorSchema } from '../http/schemas.js';
import type { AgentService } from './service.js';
import type { AgentStore } from './store.js';
import { REASON_ID_PATTERN } from './status.js';

const Status = Type.Union(
  [
    Type.Literal('ready'),
    Type.Literal('not_ready'),
    Type.Literal('after_call_work'),
    Type.Literal('offline'),
    Type.Literal('unreachable'),
  ],
  { description: 'unreachable: the phone is lost; the chosen status is in `state`' },
);

export const AgentViewSchema = Type.Object({
  userId: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  status: Status,
  state: Type.Union([
    Type.Literal('ready'),
    Type.Literal('not_ready'),
    Type.Literal('after_call_work'),
    Type.Literal('offline'),
  ]),
  reasonId: Type.Union([Type.String(), Type.Null()]),
  since: Type.String({ format: 'date-time' }),
  unreachable: Type.Boolean(),
  acwEndsAt: Type.Union([Type.String(), Type.Null()]),
  paused: Type.Boolean({ description: 'Paused in the queues' }),
  pauseReason: Type.Union([Type.String(), Type.Null()], {
    description: 'The reason Asterisk shows (QueueStatus PausedReason)',
  }),
});

const ChooseBody = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready'), Type.Literal('offline')]),
    reasonId: Type.Optional(
      Type.Union([Type.String({ pattern: REASON_ID_PATTERN }), Type.Null()], {
        description: 'A pause reason id; required for not_ready',
      }),
    ),
  },
  { additionalProperties: false },
);

const Names = Type.Object(
  {
    kk: Type.String({ minLength: 1, maxLength: 60 }),
    ru: Type.String({ minLength: 1, maxLength: 60 }),
    en: Type.String({ minLength: 1, maxLength: 60 }),
  },
  { additionalProperties: false },
);

const ReasonSchema = Type.Object({
  id: Type.String(),
  names: Names,
  active: Type.Boolean(),
  sort: Type.Integer(),
  system: Type.Boolean(),
});

const LogEntrySchema = Type.Object({
  id: Type.Integer(),
  userId: Type.Integer(),
  username: Type.String(),
  status: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
  startedAt: Type.String(),
  endedAt: Type.Union([Type.String(), Type.Null()]),
  setBy: Type.Union([Type.String(), Type.Null()]),
});

const MAX_LOG_DAYS = 31;

export function agentRoutes(
  agents: AgentService,
  store: AgentStore,
  now: () => Date,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/agents/me/status',
      {
        config: { permission: 'softphone:use' },
        schema: {
          tags: ['agents'],
          summary: "The signed-in operator's status",
          response: { 200: AgentViewSchema, 404: ErrorSchema },
        },
      },
      async (req) => agents.me(req.session!.user.id),
    );

    app.put(
      '/api/agents/me/status',
      {
        config: { permission: 'softphone:use' },
        schema: {
          tags: ['agents'],
          summary: "Sets the signed-in operator's status: ready, not_ready with a reason, offline",
          body: ChooseBody,
          response: { 200: AgentViewSchema, 400: ErrorSchema, 404: ErrorSchema },
        },
      },
      async (req) => agents.choose(req.session!.user.id, req.body),
    );

    app.get(
      '/api/agents',
      {
        config: { permission: 'floor:read' },
        schema: {
          tags: ['agents'],
          summary: "The floor: every operator's status, reason, since when, and reachability",
          response: { 200: Type.Object({ items: Type.Array(AgentViewSchema) }) },
        },
      },
      async () => ({ items: await agents.floor() }),
    );

    app.put(
      '/api/agents/:userId/status',
      {
        config: { permission: 'floor:manage' },
        schema: {
          tags: ['agents'],
          summary: "Sets an operator's status for them (logged with the supervisor's name)",
          params: Type.Object({ userId: Type.Integer({ minimum: 1 }) }),
          body: ChooseBody,
          response: { 200: AgentViewSchema, 400: ErrorSchema, 404: ErrorSchema },
        },
      },
      async (req) => agents.choose(req.params.userId, req.body, req.session!.user.username),
    );

    app.get(
      '/api/agents/status-log',
      {
        config: { permission: 'floor:read' },
        schema: {
          tags: ['agents'],
          summary: 'Status log rows overlapping [from, to), oldest first (at most 31 days)',
          querystring: Type.Object(
            {
              from: Type.String({ format: 'date-time' }),
              to: Type.Optional(Type.String({ format: 'date-time' })),
              user: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 5000 })),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ items: Type.Array(LogEntrySchema) }),
            400: ErrorSchema,
            404: ErrorSchema,
          },
        },
      },
      async (req) => {
        const from = new Date(req.query.from);
        const to = req.query.to ? new Date(req.query.to) : now();
        if (to.getTime() <= from.getTime()) {
          throw new AppError(400, 'bad_range', 'to must be after from', { field: 'to' });
        }
        if (to.getTime() - from.getTime() > MAX_LOG_DAYS * 86_400_000) {
          throw new AppError(400, 'bad_range', `from..to spans at most ${MAX_LOG_DAYS} days`, {
            field: 'from',
          });
        }
        let userId: number | undefined;
        if (req.query.user !== undefined) {
          userId = await store.userIdByName(req.query.user);
          if (userId === undefined) {
            throw new AppError(404, 'not_found', `No user ${req.query.user}`, { field: 'user' });
          }
        }
        return {
          items: await store.log({
            from: from.toISOString(),
            to: to.toISOString(),
            userId,
            limit: req.query.limit ?? 5000,
          }),
        };
      },
    );

    app.get(
      '/api/agents/pause-reasons',
      {
        // Operators need the names for their Not ready menu, the supervisor for the floor.
        config: { permission: 'directory:read' },
        schema: {
          tags: ['agents'],
          summary: 'Pause reasons (system ones are set by the controller and not choosable)',
          response: { 200: Type.Object({ items: Type.Array(ReasonSchema) }) },
        },
      },
      async () => ({ items: await agents.reasons() }),
    );

    app.post(
      '/api/agents/pause-reasons',
      {
        config: { permission: 'users:manage' },
        schema: {
          tags: ['agents'],
          summary: 'Adds a pause reason',
          body: Type.Object(
            {
              id: Type.String({ pattern: REASON_ID_PATTERN }),
              names: Names,
              active: Type.Optional(Type.Boolean({ default: true })),
              sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 899, default: 100 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: ReasonSchema, 400: ErrorSchema, 409: ErrorSchema },
        },
      },
      async (req, reply) => {
        const r = await agents.addReason({
          id: req.body.id,
          names: req.body.names,
          active: req.body.active ?? true,
          sort: req.body.sort ?? 100,
        });
        return reply.status(201).send(r);
      },
    );

    app.put(
      '/api/agents/pause-reasons/:id',
      {
        config: { permission: 'users:manage' },
        schema: {
          tags: ['agents'],
          summary: 'Renames, orders, hides or shows a pause reason (not the system ones)',
          params: Type.Object({ id: Type.String({ pattern: REASON_ID_PATTERN }) }),
          body: Type.Object(
            {
              names: Type.Optional(Names),
              active: Type.Optional(Type.Boolean()),
              sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 899 })),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: ReasonSchema, 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema },
        },
      },
      async (req) => agents.updateReason(req.params.id, req.body),
    );

    app.get(
      '/api/agents/settings',
      {
        config: { permission: 'users:manage' },
        schema: {
          tags: ['agents'],
          summary: 'Status settings: after-call work in seconds (0: none)',
          response: { 200: Type.Object({ acwSeconds: Type.Integer() }) },
        },
      },
      async () => ({ acwSeconds: await agents.acwSeconds() }),
    );

    app.put(
      '/api/agents/settings',
      {
        config: { permission: 'users:manage' },
        schema: {
          tags: ['agents'],
          summary: 'Sets the after-call-work length in seconds (0: none)',
          body: Type.Object(
            { acwSeconds: Type.Integer({ minimum: 0, maximum: 3600 }) },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ acwSeconds: Type.Integer() }), 400: ErrorSchema },
        },
      },
      async (req) => ({ acwSeconds: await agents.setAcwSeconds(req.body.acwSeconds) }),
    );
  };
}

/**
 * Signing in to and out of the console moves an operator's status (see status.ts). Hooks on the
 * root, so they see `/api/auth/login` and `/api/auth/logout` without that domain knowing about
 * statuses; the steps are queued before the answer leaves, so a request that follows the
 * sign-in sees its effect.
 */
export function agentSessionHooks(agents: AgentService): FastifyPluginAsyncTypebox {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.addHook('preSerialization', async (req, reply, payload) => {
      if (req.routeOptions.url === '/api/auth/login' && reply.statusCode === 200) {
        const id = (payload as { user?: { id?: unknown } } | null)?.user?.id;
        if (typeof id === 'number') void agents.signedIn(id).catch(() => undefined);
      }
      return payload;
    });
    app.addHook('onSend', async (req, reply, payload) => {
      if (req.routeOptions.url === '/api/auth/logout' && reply.statusCode === 204 && req.session) {
        void agents.signedOut(req.session.user.id).catch(() => undefined);
      }
      return payload;
    });
  };
  // Not encapsulated: the hooks apply to every route of the app.
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  return plugin;
}
