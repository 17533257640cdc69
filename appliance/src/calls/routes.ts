/** `/api/calls`: call facts, live calls and today's summary. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../admin/errors.js';
import { ErrorSchema } from '../http/schemas.js';
import { toView, type CallService } from './service.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const CallSchema = Type.Object({
  id: Type.String(),
  direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound')]),
  did: Nullable(Type.String()),
  service: Nullable(Type.String()),
  caller: Nullable(Type.String()),
  state: Type.Union([Type.Literal('ringing'), Type.Literal('answered'), Type.Literal('ended')]),
  startedAt: Type.String({ format: 'date-time' }),
  answeredAt: Nullable(Type.String({ format: 'date-time' })),
  endedAt: Nullable(Type.String({ format: 'date-time' })),
  durationSeconds: Type.Union([Type.Number(), Type.Null()]),
  outcome: Type.Union([
    Type.Literal('operator'),
    Type.Literal('ivr'),
    Type.Literal('missed'),
    Type.Null(),
  ]),
  language: Nullable(Type.String()),
  ivrPath: Nullable(Type.String()),
  queue: Nullable(Type.String()),
  agent: Nullable(Type.String()),
  waitSeconds: Type.Union([Type.Number(), Type.Null()]),
  talkSeconds: Type.Union([Type.Number(), Type.Null()]),
  callbackRequested: Type.Boolean(),
  recordingPath: Nullable(Type.String()),
  segments: Type.Array(
    Type.Object({
      agent: Type.String({ description: 'The operator (username)' }),
      queue: Nullable(Type.String()),
      startedAt: Type.String({ format: 'date-time' }),
      endedAt: Nullable(Type.String({ format: 'date-time' })),
      talkSeconds: Type.Union([Type.Number(), Type.Null()]),
    }),
    {
      description:
        "One per operator stretch of the call (a transfer starts the next operator's); their talk times add up to the call's",
    },
  ),
});

const CallList = Type.Object({ items: Type.Array(CallSchema) });

const ListQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({ format: 'date-time', description: 'Start (inclusive), ISO 8601' }),
    ),
    to: Type.Optional(
      Type.String({ format: 'date-time', description: 'End (exclusive), ISO 8601' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 500 })),
  },
  { additionalProperties: false },
);

export const SummarySchema = Type.Object({
  activeCalls: Type.Integer(),
  callsToday: Type.Integer(),
  answeredToday: Type.Integer(),
});

export function callRoutes(calls: CallService, now: () => Date): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/calls',
      {
        config: { permission: 'calls:read' },
        schema: {
          tags: ['calls'],
          summary: 'Calls that started in [from, to), newest first (default: the last 24 hours)',
          querystring: ListQuery,
          response: { 200: CallList, 400: ErrorSchema },
        },
      },
      async (req) => {
        const to = req.query.to ? new Date(req.query.to) : now();
        const from = req.query.from
          ? new Date(req.query.from)
          : new Date(to.getTime() - 24 * 3600_000);
        if (from.getTime() >= to.getTime()) {
          throw new AppError(
            400,
            'validation',
            'querystring.from must be earlier than querystring.to',
          );
        }
        const items = await calls.list(
          from.toISOString(),
          to.toISOString(),
          req.query.limit ?? 500,
        );
        const at = now();
        return { items: items.map((c) => toView(c, at)) };
      },
    );

    app.get(
      '/api/calls/live',
      {
        config: { permission: 'calls:read' },
        schema: { tags: ['calls'], summary: 'Calls in progress', response: { 200: CallList } },
      },
      async () => {
        const at = now();
        return { items: calls.liveCalls().map((c) => toView(c, at)) };
      },
    );

    app.get(
      '/api/callbacks',
      {
        config: { permission: 'calls:read' },
        schema: {
          tags: ['calls'],
          summary: 'Callback requests left in the IVR since a time (default: the last 7 days)',
          querystring: Type.Object(
            { since: Type.Optional(Type.String({ format: 'date-time' })) },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => {
        const since = req.query.since
          ? new Date(req.query.since)
          : new Date(now().getTime() - 7 * 24 * 3600_000);
        const rows = await calls.callbacks(since.toISOString());
        return {
          items: rows.map((r) => ({
            id: r.id,
            callId: r.call_id,
            number: r.number,
            language: r.language,
            service: r.service,
            status: r.status,
            createdAt: r.created_at,
          })),
        };
      },
    );

    app.get(
      '/api/calls/summary',
      {
        config: { permission: 'summary:read' },
        schema: {
          tags: ['calls'],
          summary: "Active calls and today's totals",
          response: { 200: SummarySchema },
        },
      },
      async () => calls.summary(),
    );
  };
}
