/**
 * `/api/tickets` and `/api/servicedesk`: the Service Desk (SD-30) for the console and, where a
 * route says `apiToken`, for the customer's own systems with a bearer token.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../admin/errors.js';
import type { Db } from '../db/database.js';
import { DEFAULT_CLOCK_POLICY, type ClockPolicy } from './clock.js';
import type { Integrations } from './integrations.js';
import { WEBHOOK_EVENTS } from './integrations.js';
import {
  allowedTransitions,
  CALLBACK_RESULTS,
  CHANNELS,
  LIMITS,
  REQUIRED_FIELDS,
  FIELD_NAMES,
  TICKET_STATUSES,
  TICKET_TYPES,
} from './model.js';
import { toTicketView, type Actor, type ServiceDesk } from './service.js';

const lit = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((v) => Type.Literal(v)));

const TicketType = lit(TICKET_TYPES);
const TicketStatus = lit(TICKET_STATUSES);
const Channel = lit(CHANNELS);
const LinkKind = lit(['call', 'chat', 'recording'] as const);
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const SubscriberSchema = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.subscriberName }))),
    phone: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
    account: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.subscriberAccount }))),
  },
  { additionalProperties: false },
);

const editable = {
  subscriber: Type.Optional(SubscriberSchema),
  regionId: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
  serviceId: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
  branchId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  topic: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.topic }))),
  description: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.description }))),
  assignee: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
};

const CreateBody = Type.Object(
  {
    type: TicketType,
    channel: Channel,
    ...editable,
    links: Type.Optional(
      Type.Array(
        Type.Object(
          { kind: LinkKind, ref: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
    clientKey: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        pattern: '^[A-Za-z0-9._:-]+$',
        description:
          'API clients: makes the create idempotent (the same key returns the same ticket)',
      }),
    ),
  },
  { additionalProperties: false },
);

const PatchBody = Type.Object(
  {
    type: Type.Optional(TicketType),
    channel: Type.Optional(Channel),
    ...editable,
    revision: Type.Optional(
      Type.Integer({ minimum: 1, description: 'The revision you edited; a newer one gives 409' }),
    ),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object(
  {
    type: Type.Optional(TicketType),
    status: Type.Optional(TicketStatus),
    regionId: Type.Optional(Type.String({ maxLength: 40 })),
    branchId: Type.Optional(Type.Integer({ minimum: 1 })),
    serviceId: Type.Optional(Type.String({ maxLength: 40 })),
    channel: Type.Optional(Channel),
    line: Type.Optional(lit(['first', 'second'] as const)),
    assignee: Type.Optional(Type.String({ maxLength: 64 })),
    createdBy: Type.Optional(Type.String({ maxLength: 80 })),
    overdue: Type.Optional(Type.Boolean()),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
);

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Note = Type.String({ maxLength: LIMITS.note });

const ClockSettings = Type.Object(
  {
    callbackHours: Type.Number({ minimum: 0.25, maximum: 168 }),
    complaintResolutionHours: Type.Number({ minimum: 1, maximum: 2160 }),
    pauseOutsideHours: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const CLOCK_SETTING_KEY = 'servicedesk.clock';

export async function loadClockPolicy(db: Db): Promise<ClockPolicy> {
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', CLOCK_SETTING_KEY)
    .executeTakeFirst();
  if (!row) return DEFAULT_CLOCK_POLICY;
  return { ...DEFAULT_CLOCK_POLICY, ...(JSON.parse(row.value) as Partial<ClockPolicy>) };
}

export function actorOf(req: FastifyRequest): Actor {
  if (req.apiClient) return { kind: 'api', client: req.apiClient };
  if (req.session) return { kind: 'user', username: req.session.user.username };
  throw new AppError(401, 'unauthenticated', 'Sign in first');
}

/** A stable hash of a request body: keys sorted, so field order does not matter. */
export function requestHash(body: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
}

export function serviceDeskRoutes(
  sd: ServiceDesk,
  integrations: Integrations,
  db: Db,
  now: () => Date,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    const work = { permission: 'tickets:work', apiToken: true } as const;

    app.get(
      '/api/servicedesk/catalogue',
      {
        config: work,
        schema: {
          tags: ['servicedesk'],
          summary: 'Regions, services, branches, types, statuses and what each type requires',
        },
      },
      async () => {
        const [regions, services, branches] = await Promise.all([
          db.selectFrom('regions').selectAll().where('active', '=', 1).orderBy('sort').execute(),
          db
            .selectFrom('sd_services')
            .selectAll()
            .where('active', '=', 1)
            .orderBy('sort')
            .execute(),
          db
            .selectFrom('branches')
            .select(['id', 'name', 'region', 'region_id', 'number'])
            .orderBy('name')
            .execute(),
        ]);
        return {
          regions: regions.map((r) => ({
            id: r.id,
            kind: r.kind,
            names: { kk: r.name_kk, ru: r.name_ru, en: r.name_en },
          })),
          services: services.map((s) => ({
            id: s.id,
            names: { kk: s.name_kk, ru: s.name_ru, en: s.name_en },
          })),
          branches: branches.map((b) => ({
            id: b.id,
            name: b.name,
            regionId: b.region_id,
            region: b.region,
          })),
          types: TICKET_TYPES,
          statuses: TICKET_STATUSES.map((s) => ({ id: s, next: allowedTransitions(s) })),
          channels: CHANNELS,
          callbackResults: CALLBACK_RESULTS,
          required: Object.fromEntries(
            TICKET_TYPES.map((t) => [t, REQUIRED_FIELDS[t].map((f) => FIELD_NAMES[f])]),
          ),
          limits: LIMITS,
        };
      },
    );

    app.get(
      '/api/tickets',
      {
        config: work,
        schema: {
          tags: ['servicedesk'],
          summary: 'Tickets, newest first, with filters',
          querystring: ListQuery,
        },
      },
      async (req) =>
        sd.list({ ...req.query, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 }),
    );

    app.post(
      '/api/tickets',
      {
        config: work,
        schema: {
          tags: ['servicedesk'],
          summary:
            'Registers a ticket (201), or returns the one made earlier with the same clientKey (200)',
          body: CreateBody,
        },
      },
      async (req, reply) => {
        const { clientKey, ...input } = req.body;
        const actor = actorOf(req);
        if (clientKey && actor.kind !== 'api') {
          throw new AppError(400, 'validation', 'clientKey: only API clients send one', {
            field: 'clientKey',
          });
        }
        const result = await sd.create(
          input,
          actor,
          clientKey ? { clientKey, requestHash: requestHash(input) } : undefined,
        );
        return reply.status(result.created ? 201 : 200).send(result.ticket);
      },
    );

    app.get(
      '/api/tickets/:id',
      {
        config: work,
        schema: {
          tags: ['servicedesk'],
          summary: 'A ticket with its history, links and callback attempts',
          params: IdParams,
        },
      },
      async (req) => sd.detail(req.params.id),
    );

    app.patch(
      '/api/tickets/:id',
      {
        config: work,
        schema: {
          tags: ['servicedesk'],
          summary: 'Changes fields; each change becomes a history event',
          params: IdParams,
          body: PatchBody,
        },
      },
      async (req) => {
        const { revision, ...patch } = req.body;
        return sd.update(req.params.id, patch, actorOf(req), revision);
      },
    );

    app.post(
      '/api/tickets/:id/status',
      {
        config: work,
        schema: {
          tags: ['servicedesk'],
          summary: 'Moves the ticket along its status machine (409 for a move it does not allow)',
          params: IdParams,
          body: Type.Object(
            { status: TicketStatus, note: Type.Optional(Note) },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => sd.setStatus(req.params.id, req.body.status, actorOf(req), req.body.note),
    );

    app.post(
      '/api/tickets/:id/escalate',
      {
        config: work,
        schema: {
          tags: ['servicedesk'],
          summary: 'Escalates to the second line; the callback clock runs from registration',
          params: IdParams,
          body: Type.Object({ note: Type.Optional(Note) }, { additionalProperties: false }),
        },
      },
      async (req) => sd.escalate(req.params.id, actorOf(req), req.body.note),
    );

    app.post(
      '/api/tickets/:id/callbacks',
      {
        config: work,
        schema: {
          tags: ['servicedesk'],
          summary: 'Logs an attempt to call the subscriber back; "reached" stops the clock',
          params: IdParams,
          body: Type.Object(
            {
              result: lit(CALLBACK_RESULTS),
              note: Type.Optional(Note),
              callId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => sd.logCallback(req.params.id, req.body, actorOf(req)),
    );

    app.post(
      '/api/tickets/:id/comments',
      {
        config: work,
        schema: {
          tags: ['servicedesk'],
          summary: 'Adds a comment to the history',
          params: IdParams,
          body: Type.Object(
            { note: Type.String({ minLength: 1, maxLength: LIMITS.note }) },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => sd.comment(req.params.id, req.body.note, actorOf(req)),
    );

    app.post(
      '/api/tickets/:id/links',
      {
        config: work,
        schema: {
          tags: ['servicedesk'],
          summary: 'Links a call, chat or recording to the ticket',
          params: IdParams,
          body: Type.Object(
            { kind: LinkKind, ref: Type.String({ minLength: 1, maxLength: 200 }) },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => sd.addLink(req.params.id, req.body.kind, req.body.ref, actorOf(req)),
    );

    app.post(
      '/api/tickets/:id/correction',
      {
        config: { permission: 'tickets:supervise' },
        schema: {
          tags: ['servicedesk'],
          summary: 'Sends the ticket back to its author for correction (QA-34)',
          params: IdParams,
          body: Type.Object(
            { note: Type.String({ minLength: 1, maxLength: LIMITS.note }) },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => sd.requestCorrection(req.params.id, req.body.note, actorOf(req)),
    );

    app.get(
      '/api/servicedesk/corrections',
      {
        config: { permission: 'tickets:supervise' },
        schema: {
          tags: ['servicedesk'],
          summary: 'Per operator: tickets registered, sent back for correction, saves refused',
          querystring: Type.Object(
            { from: Type.String({ format: 'date' }), to: Type.String({ format: 'date' }) },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => ({ items: await sd.correctionsByOperator(req.query.from, req.query.to) }),
    );

    app.get(
      '/api/servicedesk/overdue',
      {
        config: { permission: 'tickets:supervise' },
        schema: {
          tags: ['servicedesk'],
          summary:
            "The supervisor's check list: callbacks past their deadline and complaints past theirs, with what is linked to them",
        },
      },
      async () => {
        const { items } = await sd.list({ overdue: true, limit: 200, offset: 0 });
        const links = items.length
          ? await db
              .selectFrom('ticket_links')
              .select(['ticket_id', 'kind', 'ref'])
              .where(
                'ticket_id',
                'in',
                items.map((t) => t.id),
              )
              .execute()
          : [];
        return {
          items: items.map((ticket) => ({
            ticket,
            reasons: [
              ...(ticket.callback &&
              !ticket.callback.doneAt &&
              ticket.callback.dueAt <= now().toISOString()
                ? (['callback'] as const)
                : []),
              ...(ticket.resolution &&
              !ticket.resolvedAt &&
              ticket.resolution.dueAt <= now().toISOString()
                ? (['resolution'] as const)
                : []),
            ],
            links: links
              .filter((l) => l.ticket_id === ticket.id)
              .map((l) => ({ kind: l.kind, ref: l.ref })),
          })),
        };
      },
    );

    app.get(
      '/api/servicedesk/settings',
      {
        config: { permission: 'tickets:work' },
        schema: { tags: ['servicedesk'], summary: 'Clock settings' },
      },
      async () => loadClockPolicy(db),
    );

    app.put(
      '/api/servicedesk/settings',
      {
        config: { permission: 'servicedesk:manage' },
        schema: {
          tags: ['servicedesk'],
          summary: 'Changes the clock settings (new tickets follow them)',
          body: ClockSettings,
        },
      },
      async (req) => {
        const value: Static<typeof ClockSettings> = req.body;
        const at = now().toISOString();
        await db
          .insertInto('settings')
          .values({ key: CLOCK_SETTING_KEY, value: JSON.stringify(value), updated_at: at })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: at }),
          )
          .execute();
        return value;
      },
    );

    // ---- Integrations ----
    const manage = { permission: 'servicedesk:manage' } as const;

    app.get(
      '/api/servicedesk/api-clients',
      {
        config: manage,
        schema: { tags: ['servicedesk'], summary: 'API clients (tokens never shown again)' },
      },
      async () => ({ items: await integrations.listTokens() }),
    );

    app.post(
      '/api/servicedesk/api-clients',
      {
        config: manage,
        schema: {
          tags: ['servicedesk'],
          summary: 'Creates an API client; the answer holds its token, shown this once',
          body: Type.Object(
            { name: Type.String({ minLength: 1, maxLength: 60, pattern: '^[A-Za-z0-9._-]+$' }) },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) =>
        reply
          .status(201)
          .send(await integrations.createToken(req.body.name, req.session!.user.username)),
    );

    app.delete(
      '/api/servicedesk/api-clients/:id',
      {
        config: manage,
        schema: { tags: ['servicedesk'], summary: 'Revokes an API client', params: IdParams },
      },
      async (req, reply) => {
        await integrations.revokeToken(req.params.id);
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/servicedesk/webhooks',
      {
        config: manage,
        schema: { tags: ['servicedesk'], summary: 'Webhooks and their delivery backlog' },
      },
      async () => ({ items: await integrations.listWebhooks() }),
    );

    app.post(
      '/api/servicedesk/webhooks',
      {
        config: manage,
        schema: {
          tags: ['servicedesk'],
          summary:
            'Subscribes a URL to ticket events; the answer holds the signing secret, shown this once',
          body: Type.Object(
            {
              url: Type.String({ minLength: 8, maxLength: 500 }),
              events: Type.Array(Type.Union([Type.Literal('*'), lit(WEBHOOK_EVENTS)]), {
                maxItems: 20,
              }),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) =>
        reply
          .status(201)
          .send(
            await integrations.createWebhook(
              req.body.url,
              req.body.events,
              req.session!.user.username,
            ),
          ),
    );

    app.delete(
      '/api/servicedesk/webhooks/:id',
      {
        config: manage,
        schema: {
          tags: ['servicedesk'],
          summary: 'Removes a webhook and its backlog',
          params: IdParams,
        },
      },
      async (req, reply) => {
        await integrations.deleteWebhook(req.params.id);
        return reply.status(204).send();
      },
    );
  };
}

/** Saved ticket-list filters, per user, and the subscriber's history across calls and tickets. */
export function subscriberRoutes(db: Db, now: () => Date): FastifyPluginAsyncTypebox {
  return async (app) => {
    const FilterQuery = Type.Omit(ListQuery, ['limit', 'offset']);

    app.get(
      '/api/tickets/filters',
      {
        config: { permission: 'tickets:work' },
        schema: { tags: ['servicedesk'], summary: 'Your saved ticket filters' },
      },
      async (req) => {
        const rows = await db
          .selectFrom('saved_filters')
          .selectAll()
          .where('username', '=', req.session!.user.username)
          .orderBy('name')
          .execute();
        return {
          items: rows.map((r) => ({
            id: r.id,
            name: r.name,
            query: JSON.parse(r.query) as unknown,
          })),
        };
      },
    );

    app.post(
      '/api/tickets/filters',
      {
        config: { permission: 'tickets:work' },
        schema: {
          tags: ['servicedesk'],
          summary: 'Saves a ticket filter under a name (the same name replaces it)',
          body: Type.Object(
            { name: Type.String({ minLength: 1, maxLength: 60 }), query: FilterQuery },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const username = req.session!.user.username;
        const name = req.body.name.trim();
        if (!name)
          throw new AppError(400, 'validation', 'name: must not be blank', { field: 'name' });
        const query = JSON.stringify(req.body.query);
        const row = await db
          .insertInto('saved_filters')
          .values({ username, name, query, created_at: now().toISOString() })
          .onConflict((oc) => oc.columns(['username', 'name']).doUpdateSet({ query }))
          .returning('id')
          .executeTakeFirstOrThrow();
        return reply.status(201).send({ id: row.id, name, query: req.body.query });
      },
    );

    app.delete(
      '/api/tickets/filters/:id',
      {
        config: { permission: 'tickets:work' },
        schema: {
          tags: ['servicedesk'],
          summary: 'Deletes one of your saved filters',
          params: IdParams,
        },
      },
      async (req, reply) => {
        const r = await db
          .deleteFrom('saved_filters')
          .where('id', '=', req.params.id)
          .where('username', '=', req.session!.user.username)
          .executeTakeFirst();
        if (Number(r.numDeletedRows) === 0)
          throw new AppError(404, 'not_found', `No saved filter ${req.params.id}`);
        return reply.status(204).send();
      },
    );

    app.get(
      '/api/subscribers/history',
      {
        config: { permission: 'tickets:work' },
        schema: {
          tags: ['servicedesk'],
          summary: "A subscriber's calls and tickets, newest first, by phone, account or name",
          querystring: Type.Object(
            {
              phone: Type.Optional(Type.String({ minLength: 3, maxLength: 40 })),
              account: Type.Optional(
                Type.String({ minLength: 1, maxLength: LIMITS.subscriberAccount }),
              ),
              name: Type.Optional(Type.String({ minLength: 2, maxLength: LIMITS.subscriberName })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => {
        const { phone, account, name } = req.query;
        if (!phone && !account && !name) {
          throw new AppError(400, 'validation', 'querystring: give phone, account or name', {
            field: 'phone',
          });
        }
        // The last ten digits identify a Kazakh number whatever prefix the carrier put (8, 7, +7).
        const digits = phone?.replace(/\D/g, '') ?? '';
        if (phone && digits.length < 6) {
          throw new AppError(400, 'validation', 'phone: at least 6 digits', { field: 'phone' });
        }
        const tail = digits.slice(-10);
        const ticketRows = await db
          .selectFrom('tickets')
          .selectAll()
          .where((eb) => {
            const ors = [];
            if (tail) ors.push(eb('subscriber_phone', 'like', `%${tail}`));
            if (account) ors.push(eb('subscriber_account', '=', account.trim()));
            if (name)
              ors.push(
                eb(sql<string>`ulower(subscriber_name)`, 'like', `%${name.trim().toLowerCase()}%`),
              );
            return eb.or(ors);
          })
          .orderBy('id', 'desc')
          .limit(100)
          .execute();
        // Calls by the numbers the search or the tickets found.
        const tails = new Set<string>(tail ? [tail] : []);
        for (const t of ticketRows)
          if (t.subscriber_phone) tails.add(t.subscriber_phone.replace(/\D/g, '').slice(-10));
        const callRows = tails.size
          ? await db
              .selectFrom('calls')
              .select([
                'id',
                'direction',
                'service',
                'caller',
                'started_at',
                'answered_at',
                'ended_at',
                'outcome',
                'language',
                'agent',
                'talk_seconds',
                'wait_seconds',
              ])
              .where((eb) => eb.or([...tails].map((t) => eb('caller', 'like', `%${t}`))))
              .orderBy('started_at', 'desc')
              .limit(100)
              .execute()
          : [];
        const items = [
          ...ticketRows.map((r) => ({
            kind: 'ticket' as const,
            at: r.created_at,
            ticket: toTicketView(r),
          })),
          ...callRows.map((c) => ({
            kind: 'call' as const,
            at: c.started_at,
            call: {
              id: c.id,
              direction: c.direction,
              service: c.service,
              caller: c.caller,
              startedAt: c.started_at,
              answeredAt: c.answered_at,
              endedAt: c.ended_at,
              outcome: c.outcome,
              language: c.language,
              agent: c.agent,
              talkSeconds: c.talk_seconds,
              waitSeconds: c.wait_seconds,
            },
          })),
        ].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
        return { items };
      },
    );
  };
}
