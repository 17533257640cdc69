import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../http/app.js';
import { buildTestApp, signInAll, type TestSession } from '../test-app.js';
import { authFixture, type AuthFixture } from '../test-support.js';
import { dispositionRoutes } from './routes.js';
import { Dispositions } from './service.js';

const PASSWORD = 'kcc-test-pass-1';

describe('dispositions', () => {
  let f: AuthFixture;
  let app: App;
  let sessions: Record<string, TestSession>;

  beforeAll(async () => {
    f = await authFixture();
    for (const [username, role] of [
      ['op1', 'operator'],
      ['admin1', 'administrator'],
      ['obs1', 'observer'],
    ] as const) {
      await f.auth.createUser({
        username,
        displayName: username,
        password: PASSWORD,
        role,
        language: 'ru',
      });
    }
    await f.db
      .insertInto('calls')
      .values({
        id: '1795.1',
        direction: 'inbound',
        did_raw: '193',
        did: '193',
        service: '193',
        caller: '77011234567',
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
    app = await buildTestApp(f, {
      routes: [dispositionRoutes(new Dispositions(f.db, f.clock.now))],
    });
    sessions = await signInAll(app, ['op1', 'admin1', 'obs1'], PASSWORD);
  });

  afterAll(() => app.close());

  const as = (user: string, method: 'GET' | 'PUT', url: string, payload?: object) =>
    app.inject({
      method,
      url,
      cookies: sessions[user]!.cookies,
      headers: { 'x-csrf-token': sessions[user]!.csrf },
      ...(payload ? { payload } : {}),
    });

  it('saves an operator’s disposition of a call, and saving again replaces it', async () => {
    const first = await as('op1', 'PUT', '/api/calls/1795.1/disposition', {
      result: 'information_given',
      topic: 'Tariffs',
      comment: 'Explained the OTAU TV packages',
    });
    expect(first.statusCode).toBe(200);
    await as('op1', 'PUT', '/api/calls/1795.1/disposition', {
      result: 'resolved',
      topic: 'Tariffs',
    });
    const list = (await as('op1', 'GET', '/api/calls/1795.1/dispositions')).json() as {
      items: Array<{ username: string; result: string; comment: string | null }>;
    };
    expect(list.items).toEqual([
      expect.objectContaining({ username: 'op1', result: 'resolved', comment: null }),
    ]);
  });

  it('links the ticket registered on the call when no ticket is named', async () => {
    const at = '2025-11-25T11:02:00.000Z';
    const ticket = await f.db
      .insertInto('tickets')
      .values({
        type: 'technical',
        status: 'new',
        channel: 'voice',
        subscriber_name: null,
        subscriber_phone: '77011234567',
        subscriber_account: null,
        region_id: null,
        service_id: null,
        branch_id: null,
        topic: null,
        description: 'No signal',
        assignee: null,
        created_by: 'op1',
        created_at: at,
        updated_at: at,
        escalated_at: null,
        callback_due_at: null,
        callback_done_at: null,
        callback_breached_at: null,
        resolution_due_at: null,
        resolution_breached_at: null,
        resolved_at: null,
        closed_at: null,
        correction_requested_at: null,
        api_client: null,
        client_key: null,
        client_request_hash: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await f.db
      .insertInto('ticket_links')
      .values({ ticket_id: ticket.id, kind: 'call', ref: '1795.1', created_at: at })
      .execute();
    const saved = await as('op1', 'PUT', '/api/calls/1795.1/disposition', {
      result: 'ticket_created',
    });
    expect(saved.json()).toMatchObject({ ticketId: ticket.id });
    // Saying "no ticket" explicitly is kept.
    const none = await as('op1', 'PUT', '/api/calls/1795.1/disposition', {
      result: 'resolved',
      ticketId: null,
    });
    expect(none.json()).toMatchObject({ ticketId: null });
  });

  it('refuses an unknown call, result or ticket, naming the field', async () => {
    expect(
      (await as('op1', 'PUT', '/api/calls/9.9/disposition', { result: 'resolved' })).statusCode,
    ).toBe(404);
    const badResult = await as('op1', 'PUT', '/api/calls/1795.1/disposition', { result: 'great' });
    expect(badResult.statusCode).toBe(400);
    expect((badResult.json() as { message: string }).message).toContain('result');
    const badTicket = await as('op1', 'PUT', '/api/calls/1795.1/disposition', {
      result: 'resolved',
      ticketId: 42,
    });
    expect(badTicket.json()).toMatchObject({ statusCode: 400, field: 'ticketId' });
  });

  it('lets the administrator require a disposition before the next call', async () => {
    expect((await as('op1', 'GET', '/api/dispositions/options')).json()).toMatchObject({
      required: false,
    });
    expect(
      (await as('op1', 'PUT', '/api/dispositions/settings', { required: true })).statusCode,
    ).toBe(403);
    expect(
      (await as('admin1', 'PUT', '/api/dispositions/settings', { required: true })).statusCode,
    ).toBe(200);
    expect((await as('op1', 'GET', '/api/dispositions/options')).json()).toMatchObject({
      required: true,
    });
    expect((await as('obs1', 'GET', '/api/dispositions/options')).statusCode).toBe(403);
  });
});
