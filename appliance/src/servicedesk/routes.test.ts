/**
 * The Service Desk API through Fastify: validation at the edge naming the field, permissions,
 * API clients with bearer tokens and idempotent create.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../admin/crypto.js';
import type { Role } from '../db/schema.js';
import type { App } from '../http/app.js';
import { buildTestApp, signInAll, createUsers } from '../test-app.js';
import { authFixture, silentLogger, type AuthFixture } from '../test-support.js';
import { Integrations } from './integrations.js';
import { serviceDeskRoutes, subscriberRoutes } from './routes.js';
import { ServiceDesk } from './service.js';

const PASSWORD = 'kcc-test-pass-1';
const USERS: Array<{ username: string; role: Role }> = [
  { username: 'op1', role: 'operator' },
  { username: 'sup1', role: 'supervisor' },
  { username: 'admin1', role: 'administrator' },
  { username: 'obs1', role: 'observer' },
];

const technical = {
  type: 'technical',
  channel: 'voice',
  subscriber: { name: 'Ерлан', phone: '+7 701 555 11 22' },
  regionId: 'karaganda',
  serviceId: 'dvb_t2',
  topic: 'Picture freezes',
  description: 'Since yesterday on all channels',
};

describe('service desk API', () => {
  let f: AuthFixture;
  let app: App;
  const sessions: Record<string, { cookies: Record<string, string>; csrf: string }> = {};

  beforeAll(async () => {
    f = await authFixture();
    await createUsers(f, USERS, PASSWORD);
    const sd = new ServiceDesk(f.db, { now: f.clock.now, logger: silentLogger });
    const integrations = new Integrations(f.db, nodeCrypto, f.clock.now);
    app = await buildTestApp(f, {
      resolveApiToken: integrations.resolveToken,
      routes: [
        serviceDeskRoutes(sd, integrations, f.db, f.clock.now),
        subscriberRoutes(f.db, f.clock.now),
      ],
    });
    Object.assign(
      sessions,
      await signInAll(
        app,
        USERS.map((u) => u.username),
        PASSWORD,
      ),
    );
  });

  afterAll(async () => {
    await app.close();
  });

  const as = (
    user: string,
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
  ) =>
    app.inject({
      method,
      url,
      cookies: sessions[user]!.cookies,
      headers: { 'x-csrf-token': sessions[user]!.csrf },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  async function tickets(): Promise<number> {
    const r = await f.db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  it('lets an operator register, escalate and read a ticket with its history', async () => {
    const created = await as('op1', 'POST', '/api/tickets', technical);
    expect(created.statusCode).toBe(201);
    const t = created.json() as { id: number; subscriber: { phone: string } };
    expect(t.subscriber.phone).toBe('+77015551122');
    expect(
      (
        await as('op1', 'POST', `/api/tickets/${t.id}/escalate`, {
          note: 'No signal at the tower?',
        })
      ).statusCode,
    ).toBe(200);
    const detail = (await as('op1', 'GET', `/api/tickets/${t.id}`)).json() as {
      ticket: { status: string; callback: { dueAt: string } };
      history: Array<{ kind: string }>;
    };
    expect(detail.ticket.status).toBe('escalated');
    expect(detail.history.map((h) => h.kind)).toEqual(['created', 'escalated']);
  });

  it('refuses bad input with a 4xx that names the field, and saves nothing', async () => {
    const before = await tickets();
    const cases: Array<[unknown, number, string]> = [
      [{ ...technical, subscriber: { phone: '+7 701' } }, 400, 'subscriber.phone'],
      [{ ...technical, regionId: 'atlantis' }, 400, 'regionId'],
      [{ ...technical, description: 'x'.repeat(4001) }, 400, 'description'],
      [{ ...technical, type: 'praise' }, 400, 'type'],
      [{ ...technical, colour: 'red' }, 400, 'colour'],
      [{ type: 'complaint', channel: 'voice' }, 400, 'subscriber.name'],
    ];
    for (const [body, status, field] of cases) {
      const res = await as('op1', 'POST', '/api/tickets', body);
      expect(res.statusCode, field).toBe(status);
      expect((res.json() as { message: string }).message, field).toContain(field);
    }
    expect(await tickets()).toBe(before);
  });

  it('refuses an illegal status move with 409 and a message', async () => {
    const t = (await as('op1', 'POST', '/api/tickets', technical)).json() as { id: number };
    const res = await as('op1', 'POST', `/api/tickets/${t.id}/status`, { status: 'closed' });
    expect(res.statusCode).toBe(409);
    expect((res.json() as { message: string }).message).toMatch(/cannot become closed/);
  });

  it('keeps the Service Desk from roles without it', async () => {
    expect((await as('obs1', 'GET', '/api/tickets')).statusCode).toBe(403);
    expect(
      (await as('op1', 'GET', '/api/servicedesk/corrections?from=2025-01-01&to=2027-01-01'))
        .statusCode,
    ).toBe(403);
    expect(
      (await as('sup1', 'GET', '/api/servicedesk/corrections?from=2025-01-01&to=2027-01-01'))
        .statusCode,
    ).toBe(200);
    expect(
      (await as('op1', 'POST', '/api/servicedesk/api-clients', { name: 'x' })).statusCode,
    ).toBe(403);
  });

  it('serves API clients by bearer token, idempotent by client key, and refuses a reused key', async () => {
    const made = await as('admin1', 'POST', '/api/servicedesk/api-clients', {
      name: 'customer-sd',
    });
    expect(made.statusCode).toBe(201);
    const { token, id } = made.json() as { token: string; id: number };
    const api = (method: 'GET' | 'POST', url: string, payload?: unknown, bearer = token) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${bearer}` },
        ...(payload ? { payload: payload as object } : {}),
      });

    const body = { ...technical, clientKey: 'sd-2026-0001' };
    const first = await api('POST', '/api/tickets', body);
    expect(first.statusCode).toBe(201);
    const ticket = first.json() as { id: number; createdBy: string };
    expect(ticket.createdBy).toBe('api:customer-sd');
    // The same request again (fields in another order): the same ticket, 200.
    const { description, ...rest } = body;
    const again = await api('POST', '/api/tickets', { description, ...rest });
    expect(again.statusCode).toBe(200);
    expect((again.json() as { id: number }).id).toBe(ticket.id);
    // The same key with another request: refused, naming the field.
    const reused = await api('POST', '/api/tickets', { ...body, topic: 'Another thing' });
    expect(reused.statusCode).toBe(409);
    expect(reused.json()).toMatchObject({ code: 'duplicate_client_key', field: 'clientKey' });
    expect((await api('GET', `/api/tickets/${ticket.id}`)).statusCode).toBe(200);

    // A token opens the tickets API only.
    expect((await api('GET', '/api/servicedesk/api-clients')).statusCode).toBe(401);
    expect((await api('GET', '/api/tickets', undefined, 'kcc_wrong')).statusCode).toBe(401);
    expect((await as('admin1', 'DELETE', `/api/servicedesk/api-clients/${id}`)).statusCode).toBe(
      204,
    );
    expect((await api('GET', '/api/tickets')).statusCode).toBe(401);
  });

  it('lets only API clients send a client key', async () => {
    const res = await as('op1', 'POST', '/api/tickets', { ...technical, clientKey: 'k' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: 'clientKey' });
  });

  it("shows a subscriber's calls and tickets together, newest first, whatever the number's prefix", async () => {
    await f.db
      .insertInto('calls')
      .values({
        id: '1795000000.1',
        direction: 'inbound',
        did_raw: '193',
        did: '193',
        service: '193',
        caller: '87774443322',
        caller_name: null,
        channel: null,
        state: 'ended',
        started_at: '2025-11-25T11:00:00.000Z',
        answered_at: '2025-11-25T11:00:05.000Z',
        ended_at: '2025-11-25T11:03:00.000Z',
        hangup_cause: 16,
        updated_at: '2025-11-25T11:03:00.000Z',
      } as never)
      .execute();
    f.clock.set('2025-11-25T11:05:00.000Z');
    const made = await as('op1', 'POST', '/api/tickets', {
      ...technical,
      subscriber: { name: 'Гүлнар', phone: '+7 777 444 33 22', account: 'ACC-9' },
      links: [{ kind: 'call', ref: '1795000000.1' }],
    });
    expect(made.statusCode).toBe(201);
    for (const query of [
      'phone=8%20777%20444%2033%2022',
      'account=ACC-9',
      'name=%D0%B3%D2%AF%D0%BB%D0%BD%D0%B0%D1%80',
    ]) {
      const res = await as('op1', 'GET', `/api/subscribers/history?${query}`);
      expect(res.statusCode, query).toBe(200);
      const items = (res.json() as { items: Array<{ kind: string }> }).items;
      expect(
        items.map((i) => i.kind),
        query,
      ).toEqual(['ticket', 'call']);
    }
    const none = await as('op1', 'GET', '/api/subscribers/history');
    expect(none.statusCode).toBe(400);
    expect((await as('obs1', 'GET', '/api/subscribers/history?account=ACC-9')).statusCode).toBe(
      403,
    );
  });

  it('keeps saved filters per user', async () => {
    const saved = await as('op1', 'POST', '/api/tickets/filters', {
      name: 'My overdue',
      query: { overdue: true, line: 'second' },
    });
    expect(saved.statusCode).toBe(201);
    const mine = (await as('op1', 'GET', '/api/tickets/filters')).json() as {
      items: Array<{ name: string; query: unknown }>;
    };
    expect(mine.items).toEqual([
      { id: expect.any(Number), name: 'My overdue', query: { overdue: true, line: 'second' } },
    ]);
    const theirs = (await as('sup1', 'GET', '/api/tickets/filters')).json() as { items: unknown[] };
    expect(theirs.items).toEqual([]);
    const bad = await as('op1', 'POST', '/api/tickets/filters', {
      name: 'x',
      query: { status: 'lost' },
    });
    expect(bad.statusCode).toBe(400);
  });

  it("lists overdue complaints with their links on the supervisor's check list", async () => {
    const made = await as('op1', 'POST', '/api/tickets', {
      ...technical,
      type: 'complaint',
      subscriber: { name: 'Болат', phone: '+7 701 999 00 11' },
      links: [{ kind: 'recording', ref: '2025/11/25/1795.7.wav' }],
    });
    expect(made.statusCode).toBe(201);
    const id = (made.json() as { id: number }).id;
    f.clock.advance(73 * 3600_000);
    // Sessions expire with the test clock: sign everyone in again.
    Object.assign(
      sessions,
      await signInAll(
        app,
        USERS.map((u) => u.username),
        PASSWORD,
      ),
    );
    const res = await as('sup1', 'GET', '/api/servicedesk/overdue');
    expect(res.statusCode).toBe(200);
    const item = (
      res.json() as {
        items: Array<{ ticket: { id: number }; reasons: string[]; links: unknown[] }>;
      }
    ).items.find((i) => i.ticket.id === id);
    expect(item).toMatchObject({
      reasons: ['resolution'],
      links: [{ kind: 'recording', ref: '2025/11/25/1795.7.wav' }],
    });
    expect((await as('op1', 'GET', '/api/servicedesk/overdue')).statusCode).toBe(403);
  });
});
